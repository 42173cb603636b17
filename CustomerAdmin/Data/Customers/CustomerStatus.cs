namespace CustomerAdmin.Data;

public enum CustomerStatus { Active, Inactive, Blocked, Deleted }
