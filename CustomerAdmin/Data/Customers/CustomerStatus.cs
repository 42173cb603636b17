namespace CustomerAdmin.Data;

/// <summary>
/// Where a customer stands. <see cref="Deleted"/> is a soft delete; <see cref="Merged"/> is a duplicate folded into
/// another record (<see cref="Customer.MergedIntoId"/>). Both are gone from lists, search and counts: ask
/// <see cref="CustomerStatuses"/> rather than comparing with one of them.
/// </summary>
public enum CustomerStatus { Active, Inactive, Blocked, Deleted, Merged }
