namespace CustomerAdmin.Data;

/// <summary>
/// How a run ended. Cancelled, Failed and Interrupted runs keep the batches they committed (each whole, with the
/// stats it moved) and can be undone or finished by importing the same file again.
/// </summary>
public enum ImportRunStatus
{
    Running, Completed, Failed, Cancelled, Undone,
    /// <summary>Left "Running" by a process that stopped without saying so (it died, or lost its database).</summary>
    Interrupted,
}
