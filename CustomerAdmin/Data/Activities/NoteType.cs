namespace CustomerAdmin.Data;

public enum NoteType { General, Complaint, Feedback, Request }
