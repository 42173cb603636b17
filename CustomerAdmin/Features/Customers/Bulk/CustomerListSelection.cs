namespace CustomerAdmin.Features.Customers.Bulk;

/// <summary>
/// What is ticked on the customer list: rows (kept across its pages, up to <see cref="CustomerListQueryString.MaxIds"/>),
/// or every customer the filter matches. Belongs to one filter: a new filter starts with nothing ticked.
/// </summary>
public sealed class CustomerListSelection
{
    private readonly HashSet<int> _ids = [];
    private string? _filterKey;

    public bool AllMatching { get; private set; }
    public IReadOnlyCollection<int> Ids => _ids;
    public bool IsEmpty => !AllMatching && _ids.Count == 0;

    /// <summary>How many customers are selected, given how many the filter matches.</summary>
    public int Count(int matching) => AllMatching ? matching : _ids.Count;

    public bool IsSelected(int id) => AllMatching || _ids.Contains(id);

    public static readonly string FullMessage =
        $"At most {CustomerListQueryString.MaxIds:N0} rows can be ticked; use \"Select all matching this filter\" for more.";

    /// <summary>Forgets the selection when the list now shows another filter (its query string, the page left out).</summary>
    /// <returns>True when it was reset.</returns>
    public bool ResetFor(string queryString)
    {
        var filterKey = string.Join("&", Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(queryString)
            .Where(p => p.Key != "page").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        if (_filterKey == filterKey) return false;
        _filterKey = filterKey;
        Clear();
        return true;
    }

    /// <returns>False when the row could not be ticked (the most rows a selection holds are ticked already).</returns>
    public bool Toggle(int id, bool selected, IEnumerable<int> page)
    {
        if (AllMatching && !selected)
        {
            // Unticking one row of "all matching" leaves the rows of this page ticked but that one.
            AllMatching = false;
            _ids.UnionWith(page);
        }
        if (!selected)
        {
            _ids.Remove(id);
            return true;
        }
        if (_ids.Count >= CustomerListQueryString.MaxIds) return false;
        _ids.Add(id);
        return true;
    }

    /// <summary>Ticks or unticks every row of the page.</summary>
    public void TogglePage(IReadOnlyCollection<int> page, bool selected)
    {
        if (!selected)
        {
            AllMatching = false;
            _ids.ExceptWith(page);
            return;
        }
        foreach (var id in page.TakeWhile(_ => _ids.Count < CustomerListQueryString.MaxIds)) _ids.Add(id);
    }

    /// <summary>True when every row of the page is ticked (and there is one).</summary>
    public bool IsPageSelected(IReadOnlyCollection<int> page) => page.Count > 0 && page.All(IsSelected);

    public void SelectAllMatching()
    {
        AllMatching = true;
        _ids.Clear();
    }

    public void Clear()
    {
        AllMatching = false;
        _ids.Clear();
    }

    /// <summary>The selection for the operations: the ticked ids, or the filter itself.</summary>
    public CustomerSelection ToSelection(CustomerListFilter filter) => AllMatching ? CustomerSelection.AllMatching(filter) : CustomerSelection.Of(_ids);
}
