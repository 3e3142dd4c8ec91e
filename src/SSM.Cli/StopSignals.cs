using System.Runtime.InteropServices;

namespace SSM.Cli;

/// <summary>
/// Ctrl+C and SIGTERM ask the running command to stop instead of killing the process, so it can delete its half-written
/// output (<see cref="Outputs.OutputStaging"/>) and say so. A second signal ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly PosixSignalRegistration[] registrations;

    /// <summary>The first signal received, if any: the exit code says which (130 for SIGINT, 143 for SIGTERM), as a shell
    /// reports a process the signal ended, so a supervisor that sent SIGTERM sees its own stop.</summary>
    public PosixSignal? Received { get; private set; }

    private StopSignals(CancellationTokenSource stop)
    {
        registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(signal => PosixSignalRegistration.Create(signal, context =>
        {
            if (stop.IsCancellationRequested) return;   // the second signal: the default action (terminate)
            context.Cancel = true;
            Received = signal;
            // A supervisor's SIGTERM has no keyboard behind it: the hint is for a person at a terminal.
            Console.Error.WriteLine(signal == PosixSignal.SIGINT ? "Stopping (press Ctrl+C again to quit at once)..."
                : "Stopping on SIGTERM (a second signal quits at once)...");
            stop.Cancel();
        }))];
    }

    public static StopSignals Register(CancellationTokenSource stop) => new(stop);

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
    }
}
