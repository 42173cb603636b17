namespace CustomerAdmin.Data;

/// <summary>Where a document's bytes are: in the database (<see cref="DocumentChunk"/> rows) or as a file in the documents folder.</summary>
public enum DocumentStorage { Folder, Database }
