namespace CustomerAdmin.Data;

public enum TicketStatus { Open, InProgress, WaitingForParts, Ready, Closed, Cancelled }
