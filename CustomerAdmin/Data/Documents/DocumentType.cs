namespace CustomerAdmin.Data;

public enum DocumentType { Contract, Invoice, Agreement, Other }
