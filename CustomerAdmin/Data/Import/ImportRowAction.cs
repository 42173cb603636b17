namespace CustomerAdmin.Data;

/// <summary>What an import did with one row of its file.</summary>
public enum ImportRowAction { Created, Updated, Unchanged, Skipped }
