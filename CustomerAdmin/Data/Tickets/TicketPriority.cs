namespace CustomerAdmin.Data;

public enum TicketPriority { Low, Normal, High, Urgent }
