using System.Text;
using System.Text.RegularExpressions;

namespace CustomerAdmin.Benchmarks.Circuits;

/// <summary>
/// A node of the page as a circuit's render batches build it: the logical tree blazor.web.js keeps, where a component is
/// one child of its parent (its own rendered nodes under it), regions are flattened into their parent and a markup
/// block is one child.
/// </summary>
internal abstract class Node
{
    public ContainerNode? Parent { get; set; }

    public abstract void AppendText(StringBuilder text);

    public string Text()
    {
        var text = new StringBuilder();
        AppendText(text);
        return text.ToString();
    }

    /// <summary>This node and its ancestors, nearest first (through component boundaries).</summary>
    public IEnumerable<Node> SelfAndAncestors()
    {
        for (var node = this; node is not null; node = node.Parent) yield return node;
    }
}

/// <summary>A node that holds children: an element or a component.</summary>
internal abstract class ContainerNode : Node
{
    public List<Node> Children { get; } = [];

    public void Insert(int index, Node child)
    {
        child.Parent = this;
        Children.Insert(Math.Min(index, Children.Count), child);
    }

    public void RemoveAt(int index)
    {
        if (index >= Children.Count) return;
        Children[index].Parent = null;
        Children.RemoveAt(index);
    }

    public override void AppendText(StringBuilder text)
    {
        foreach (var child in Children) child.AppendText(text);
    }

    /// <summary>Every element in this subtree (through child components), in document order. One walk with a stack, not
    /// nested iterators: it runs over the whole page at every render batch a client waits on.</summary>
    public IEnumerable<ElementNode> Elements()
    {
        var pending = new Stack<Node>();
        for (var i = Children.Count - 1; i >= 0; i--) pending.Push(Children[i]);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node is ElementNode element) yield return element;
            if (node is ContainerNode container)
                for (var i = container.Children.Count - 1; i >= 0; i--) pending.Push(container.Children[i]);
        }
    }
}

internal sealed class ComponentNode(int componentId) : ContainerNode
{
    public int ComponentId { get; } = componentId;
}

internal sealed class ElementNode(string tag, int ownerComponentId) : ContainerNode
{
    public string Tag { get; } = tag;

    /// <summary>The component that rendered this element (sent with an event as its field info, as blazor.web.js does).</summary>
    public int OwnerComponentId { get; } = ownerComponentId;

    public Dictionary<string, string?> Attributes { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Event name (without "on") → the renderer's event handler id.</summary>
    public Dictionary<string, ulong> Handlers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    public void SetAttribute(string name, string? value, ulong handlerId)
    {
        if (handlerId != 0 && name.StartsWith("on", StringComparison.OrdinalIgnoreCase)) Handlers[name[2..]] = handlerId;
        else if (value is null) Attributes.Remove(name);
        else Attributes[name] = value;
    }

    public void RemoveAttribute(string name)
    {
        Attributes.Remove(name);
        if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase)) Handlers.Remove(name[2..]);
    }

    /// <summary>The nearest element, this one or an ancestor, with a handler for <paramref name="eventName"/> (as the event bubbles).</summary>
    public ElementNode? Handling(string eventName) =>
        SelfAndAncestors().OfType<ElementNode>().FirstOrDefault(e => e.Handlers.ContainsKey(eventName));

    public override string ToString() => $"<{Tag} {string.Join(' ', Attributes.Select(a => $"{a.Key}=\"{a.Value}\""))}>";
}

internal sealed class TextNode(string? text) : Node
{
    public string? Value { get; set; } = text;

    public override void AppendText(StringBuilder text) => text.Append(Value);
}

internal sealed partial class MarkupNode(string? markup) : Node
{
    public string? Markup { get; set; } = markup;

    public override void AppendText(StringBuilder text)
    {
        if (Markup is not null) text.Append(System.Net.WebUtility.HtmlDecode(Tags().Replace(Markup, "")));
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();
}

/// <summary>The components of one circuit by id; the roots are those no other component has placed yet (or ever).</summary>
internal sealed class Dom
{
    private readonly Dictionary<int, ComponentNode> _components = [];

    public ComponentNode Component(int id)
    {
        if (!_components.TryGetValue(id, out var node)) _components[id] = node = new ComponentNode(id);
        return node;
    }

    public void Dispose(int id) => _components.Remove(id);

    public int ComponentCount => _components.Count;

    /// <summary>Every element of every component that is on the page (reachable from a root), in document order.</summary>
    public IEnumerable<ElementNode> Elements() =>
        _components.Values.Where(c => c.Parent is null).OrderBy(c => c.ComponentId).SelectMany(c => c.Elements());

    public IEnumerable<ElementNode> ByTestId(string testId) => Elements().Where(e => e["data-testid"] == testId);

    public ElementNode? ById(string id) => Elements().FirstOrDefault(e => e["id"] == id);

    /// <summary>The input or textarea a label names (its <c>for</c>, else the first one in the label's field).</summary>
    public ElementNode? Field(string label)
    {
        var labelNode = Elements().FirstOrDefault(e => e.Tag == "label" && e.Text().Trim() == label);
        if (labelNode is null) return null;
        if (labelNode["for"] is { } id && ById(id) is { } byId) return byId;
        return labelNode.SelfAndAncestors().OfType<ContainerNode>().Skip(1).Take(3)
            .Select(c => c.Elements().FirstOrDefault(e => e.Tag is "input" or "textarea")).FirstOrDefault(e => e is not null);
    }
}
