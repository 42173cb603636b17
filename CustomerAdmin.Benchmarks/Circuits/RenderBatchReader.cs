using System.Buffers.Binary;
using System.Text;

namespace CustomerAdmin.Benchmarks.Circuits;

/// <summary>
/// Applies a render batch, in the binary form the server's <c>RenderBatchWriter</c> sends with <c>JS.RenderBatch</c>, to a
/// <see cref="Dom"/>, as blazor.web.js's browser renderer applies it to the document. The layout (checked against
/// blazor.web.js of .NET 10): the last 20 bytes are five little-endian int32 offsets, of the updated components, the
/// reference frames, the disposed component ids, the disposed event handler ids and the string table. An array is an
/// int32 count and its entries; an updated component is its id and an array of 16-byte edits (type, sibling index,
/// reference frame index or move-to index, removed attribute name); a reference frame is 20 bytes (type, then fields by
/// type); a string is an index into the table, whose entry is the offset of a 7-bit length and UTF-8 bytes (-1: null).
/// </summary>
internal sealed class RenderBatchReader
{
    private enum FrameType { Element = 1, Text = 2, Attribute = 3, Component = 4, Region = 5, ElementReferenceCapture = 6, ComponentReferenceCapture = 7, Markup = 8 }

    private enum EditType
    {
        PrependFrame = 1, RemoveFrame = 2, SetAttribute = 3, RemoveAttribute = 4, UpdateText = 5, StepIn = 6, StepOut = 7,
        UpdateMarkup = 8, PermutationListEntry = 9, PermutationListEnd = 10,
    }

    private readonly byte[] _data;
    private readonly int _stringTable;
    private readonly int _frames;

    private RenderBatchReader(byte[] data)
    {
        _data = data;
        _stringTable = Int(data.Length - 4);
        _frames = Int(data.Length - 16) + 4;
    }

    /// <summary>Applies <paramref name="batch"/> to <paramref name="dom"/>; returns the number of components it updated.</summary>
    public static int Apply(byte[] batch, Dom dom)
    {
        var reader = new RenderBatchReader(batch);
        var updated = reader.Int(batch.Length - 20);
        var count = reader.Int(updated);
        for (var i = 0; i < count; i++) reader.ApplyDiff(reader.Int(updated + 4 + 4 * i), dom);
        var disposed = reader.Int(batch.Length - 12);
        for (var i = 0; i < reader.Int(disposed); i++) dom.Dispose(reader.Int(disposed + 4 + 4 * i));
        return count;
    }

    private int Int(int offset) => BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(offset));

    private ulong ULong(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(offset));

    private string? String(int offset)
    {
        var index = Int(offset);
        if (index == -1) return null;
        var at = Int(_stringTable + 4 * index);
        int length = 0, shift = 0;
        while (true)
        {
            var b = _data[at++];
            length |= (b & 0x7f) << shift;
            if (b < 0x80) break;
            shift += 7;
        }
        return Encoding.UTF8.GetString(_data, at, length);
    }

    private int Frame(int index) => _frames + 20 * index;

    private FrameType TypeOf(int frame) => (FrameType)Int(frame);

    private void ApplyDiff(int diff, Dom dom)
    {
        var componentId = Int(diff);
        var component = dom.Component(componentId);
        var edits = diff + 4;
        var editCount = Int(edits);
        ContainerNode parent = component;
        var stack = new Stack<ContainerNode>();
        List<(int From, int To)>? permutation = null;
        for (var i = 0; i < editCount; i++)
        {
            var edit = edits + 4 + 16 * i;
            var type = (EditType)Int(edit);
            var sibling = Int(edit + 4);
            var frameIndex = Int(edit + 8);
            switch (type)
            {
                case EditType.PrependFrame:
                    Insert(componentId, parent, sibling, frameIndex, dom);
                    break;
                case EditType.RemoveFrame:
                    parent.RemoveAt(sibling);
                    break;
                case EditType.SetAttribute:
                    if (parent.Children.ElementAtOrDefault(sibling) is ElementNode target) SetAttribute(target, Frame(frameIndex));
                    break;
                case EditType.RemoveAttribute:
                    if (parent.Children.ElementAtOrDefault(sibling) is ElementNode from && String(edit + 12) is { } name) from.RemoveAttribute(name);
                    break;
                case EditType.UpdateText:
                    if (parent.Children.ElementAtOrDefault(sibling) is TextNode text) text.Value = String(Frame(frameIndex) + 4);
                    break;
                case EditType.UpdateMarkup:
                    if (parent.Children.ElementAtOrDefault(sibling) is MarkupNode markup) markup.Markup = String(Frame(frameIndex) + 4);
                    break;
                case EditType.StepIn:
                    stack.Push(parent);
                    parent = parent.Children[sibling] as ContainerNode
                        ?? throw new InvalidOperationException($"Step into a {parent.Children[sibling].GetType().Name} of component {componentId}.");
                    break;
                case EditType.StepOut:
                    parent = stack.Pop();
                    break;
                case EditType.PermutationListEntry:
                    (permutation ??= []).Add((sibling, frameIndex));
                    break;
                case EditType.PermutationListEnd:
                    var moved = permutation!.Select(p => (p.To, Node: parent.Children[p.From])).ToList();
                    foreach (var (to, node) in moved) parent.Children[to] = node;
                    permutation = null;
                    break;
                default:
                    throw new InvalidOperationException($"Unknown edit type {(int)type}.");
            }
        }
    }

    /// <summary>Inserts the frame and its subtree at <paramref name="index"/>; returns how many logical children it added there.</summary>
    private int Insert(int componentId, ContainerNode parent, int index, int frameIndex, Dom dom)
    {
        var frame = Frame(frameIndex);
        switch (TypeOf(frame))
        {
            case FrameType.Element:
                var element = new ElementNode(String(frame + 8) ?? "", componentId);
                parent.Insert(index, element);
                var end = frameIndex + Int(frame + 4);
                var child = frameIndex + 1;
                for (; child < end && TypeOf(Frame(child)) == FrameType.Attribute; child++) SetAttribute(element, Frame(child));
                InsertRange(componentId, element, 0, child, end, dom);
                return 1;
            case FrameType.Text:
                parent.Insert(index, new TextNode(String(frame + 4)));
                return 1;
            case FrameType.Markup:
                parent.Insert(index, new MarkupNode(String(frame + 4)));
                return 1;
            case FrameType.Component:
                var component = dom.Component(Int(frame + 8));
                component.Parent?.Children.Remove(component);
                parent.Insert(index, component);
                return 1;
            case FrameType.Region:
                return InsertRange(componentId, parent, index, frameIndex + 1, frameIndex + Int(frame + 4), dom);
            default:
                // Reference captures, render modes and named events add nothing to the page.
                return 0;
        }
    }

    private int InsertRange(int componentId, ContainerNode parent, int index, int start, int endExclusive, Dom dom)
    {
        var inserted = 0;
        for (var frameIndex = start; frameIndex < endExclusive; frameIndex++)
        {
            inserted += Insert(componentId, parent, index + inserted, frameIndex, dom);
            var frame = Frame(frameIndex);
            if (TypeOf(frame) is FrameType.Element or FrameType.Component or FrameType.Region) frameIndex += Int(frame + 4) - 1;
        }
        return inserted;
    }

    private void SetAttribute(ElementNode element, int frame) =>
        element.SetAttribute(String(frame + 4) ?? "", String(frame + 8), ULong(frame + 12));
}
