namespace CustomerAdmin.Data;

/// <summary>
/// How sure the duplicate detector is that two customers are one person. <see cref="Likely"/> is the high-precision
/// level (imports may match on it); <see cref="Possible"/> pairs go to the review queue for a person to decide.
/// Stored by name.
/// </summary>
public enum DuplicateLevel { Possible, Likely }
