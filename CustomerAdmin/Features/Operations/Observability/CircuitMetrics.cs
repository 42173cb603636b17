using Microsoft.AspNetCore.Components.Server.Circuits;

namespace CustomerAdmin.Features.Operations.Observability;

/// <summary>Counts the open interactive circuits into <see cref="AppMetrics.ActiveCircuits"/>.</summary>
public sealed class CircuitMetrics : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        AppMetrics.ActiveCircuits.Add(1);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        AppMetrics.ActiveCircuits.Add(-1);
        return Task.CompletedTask;
    }
}
