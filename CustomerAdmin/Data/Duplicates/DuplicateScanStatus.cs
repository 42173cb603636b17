namespace CustomerAdmin.Data;

/// <summary>
/// Where a full duplicate scan stands. <see cref="Interrupted"/>: its process stopped without finishing (its heartbeat
/// went silent), so another scan may start. Stored by name.
/// </summary>
public enum DuplicateScanStatus { Running, Completed, Failed, Cancelled, Interrupted }
