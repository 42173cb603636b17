namespace CustomerAdmin.Data;

public enum ContactMethod { Phone, Sms, WhatsApp, Email }
