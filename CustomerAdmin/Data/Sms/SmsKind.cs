namespace CustomerAdmin.Data;

/// <summary>What a message is for. Stored by name, so new kinds go at the end without touching existing rows.</summary>
public enum SmsKind { BookingConfirmation, BookingUpdate, Reminder7Day, Reminder24Hour, EventCancelled, Bulk, Manual, ReminderOnlyConfirmation, EventMoved, TicketReady }
