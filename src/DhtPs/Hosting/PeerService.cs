using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using DhtPs.Core.Peer;

namespace DhtPs.Hosting;

/// <summary>
/// A peer run as a service (Start-DhtPeer -Wait): its events become timestamped lines on the pipeline thread until
/// the peer stops. SIGTERM and SIGINT (and Ctrl+C) make it depart gracefully, bounded by its <see cref="DhtPeerJob.DepartTimeout"/>,
/// after which it is stopped abruptly. Then SIGTERM ends the process with exit code 0, as does SIGINT in a pwsh that
/// runs no interactive prompt (-NonInteractive, or its input redirected, as under systemd); at an interactive prompt
/// Ctrl+C only ends the wait. Created before the peer starts, so the first line is its "listening on" event.
/// </summary>
internal sealed class PeerService : IDisposable
{
    /// <summary>Lines kept while nobody writes them out; the oldest are dropped beyond this.</summary>
    private const int LineBufferLimit = 10_000;

    private readonly DhtPeerJob _job;
    private readonly BlockingCollection<DhtEvent> _events = new(LineBufferLimit);
    private readonly CancellationTokenSource _signalled = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly IDisposable _termination;
    private PosixSignal? _signal;

    public PeerService(DhtPeerJob job)
    {
        _job = job;
        job.Peer.EventRaised += OnEventRaised;
        job.Peer.Completion.ContinueWith(_ => _events.CompleteAdding(), TaskScheduler.Default);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true; // Not the runtime's default exit: the peer departs first, then the wait ends normally.
            OnSignal(context.Signal);
        });
        _termination = TerminationSignal.Divert(OnSignal); // SIGTERM has one handler in the module, which hands it here.
    }

    /// <summary>The signal that ended the service, if one did.</summary>
    public PosixSignal? Signal => _signal;

    /// <summary>
    /// Writes the peer's events with <paramref name="writeLine"/> until it stops. A signal, or <paramref name="stop"/>
    /// (the pipeline's stop token), starts its departure; lines keep coming until it is gone.
    /// </summary>
    public void Run(Action<string> writeLine, CancellationToken stop)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, _signalled.Token);
        Task? departure = null;
        while (true)
        {
            DhtEvent raised;
            try
            {
                if (!_events.TryTake(out raised!, Timeout.Infinite, departure is null ? either.Token : CancellationToken.None))
                    break; // The peer has stopped and every line is out.
            }
            catch (OperationCanceledException)
            {
                departure = DepartBoundedAsync();
                continue;
            }
            if (raised.Kind is not (DhtEventKind.PingRequestsSent or DhtEventKind.PingRequestReceived or DhtEventKind.PingResponseReceived))
                writeLine(Format(raised));
        }
        departure?.GetAwaiter().GetResult();
    }

    /// <summary>
    /// After the wait: a signal asked the process to end, and the peer has departed, so it ends now with code 0
    /// (without this, pwsh would report the pipeline that SIGINT stopped as a failure).
    /// </summary>
    public void EndProcessIfSignalled()
    {
        if (_signal == PosixSignal.SIGTERM || (_signal == PosixSignal.SIGINT && !HasInteractivePrompt()))
        {
            Console.Out.Flush();
            Environment.Exit(0);
        }
    }

    /// <summary>pwsh prompts only when started without -NonInteractive (any abbreviation down to -noni) and with a terminal for input.</summary>
    private static bool HasInteractivePrompt() =>
        !Console.IsInputRedirected
        && !Environment.GetCommandLineArgs().Skip(1).Any(argument =>
        {
            var name = argument.TrimStart('-', '/').ToLowerInvariant();
            return name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.Ordinal);
        });

    /// <summary>One event as one line: UTC time (ISO 8601), the peer, the kind and the original's text.</summary>
    public static string Format(DhtEvent raised) =>
        string.Create(CultureInfo.InvariantCulture, $"{raised.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} peer {raised.PeerId} {raised.Kind}: {raised.Message}");

    private Task DepartBoundedAsync() => PeerRegistry.StopAsync(_job);

    private void OnSignal(PosixSignal signal)
    {
        _signal ??= signal;
        _signalled.Cancel();
    }

    private void OnEventRaised(object? sender, DhtEvent raised)
    {
        if (_events.IsAddingCompleted)
            return;
        while (!_events.TryAdd(raised))
            _events.TryTake(out _); // Full: nobody is writing; the newest lines matter most.
    }

    public void Dispose()
    {
        _job.Peer.EventRaised -= OnEventRaised;
        _interrupt.Dispose();
        _termination.Dispose();
        _signalled.Dispose();
    }
}
