namespace CustomerAdmin.Data;

/// <summary>What someone did with personal data, as the access log records it.</summary>
public enum AccessKind
{
    CustomerViewed,
    CustomerListExported,
    DocumentDownloaded,
    SubjectAccessExport,
    Erasure,
    AccessLogExported,
}
