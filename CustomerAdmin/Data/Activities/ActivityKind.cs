namespace CustomerAdmin.Data;

/// <summary>
/// What a timeline entry is. The first four are written by staff; the rest by the operation that caused them, in
/// the same transaction, so the timeline is one table and pages with one query.
/// </summary>
public enum ActivityKind
{
    Call, Email, Meeting, Note, TicketOpened, TicketClosed, TicketReopened, Sale, ContactChanged,
    BookingMade, BookingChanged, BookingCancelled, SmsReply, SmsOptedOut, SmsOptedIn, Merged, MergeUndone,
    /// <summary>Active, Inactive or Blocked set with a reason (the body).</summary>
    StatusChanged,
    /// <summary>A manager went past a block (a booking, ticket or sale for a blocked customer), with a reason.</summary>
    BlockOverridden,
}
