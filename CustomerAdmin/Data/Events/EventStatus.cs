namespace CustomerAdmin.Data;

public enum EventStatus { Scheduled, Cancelled }
