namespace CustomerAdmin.Data;

public enum CustomerType { Individual, Hospital, Clinic, Lab, Manufacturer, Dealer }
