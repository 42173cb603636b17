namespace CustomerAdmin.Data;

public enum CustomerTier { Standard, Premium, Vip }
