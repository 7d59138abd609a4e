using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using DhtPs.Core.Peer;

namespace DhtPs.Hosting;

/// <summary>
/// A peer run as a service (Start-DhtPeer -Wait): its events become timestamped lines on the pipeline thread until
/// the peer stops. SIGTERM and SIGINT (and Ctrl+C) make it depart gracefully, bounded by <see cref="DepartureBound"/>,
/// after which it is stopped abruptly; either way the wait then ends normally, so the process exits with code 0.
/// Created before the peer starts, so the first line is its "listening on" event.
/// </summary>
internal sealed class PeerService : IDisposable
{
    /// <summary>How long a graceful departure may take before the peer is stopped without one (systemd's default stop timeout is 90 s).</summary>
    public static readonly TimeSpan DepartureBound = TimeSpan.FromSeconds(10);

    /// <summary>Lines kept while nobody writes them out; the oldest are dropped beyond this.</summary>
    private const int LineBufferLimit = 10_000;

    private readonly DhtPeerJob _job;
    private readonly BlockingCollection<DhtEvent> _events = new(LineBufferLimit);
    private readonly CancellationTokenSource _signalled = new();
    private readonly PosixSignalRegistration[] _signals;
    private PosixSignal? _signal;

    public PeerService(DhtPeerJob job)
    {
        _job = job;
        job.Peer.EventRaised += OnEventRaised;
        job.Peer.Completion.ContinueWith(_ => _events.CompleteAdding(), TaskScheduler.Default);
        _signals = OperatingSystem.IsWindows()
            ? [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal)]
            : [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal)];
    }

    /// <summary>The signal that ended the service, if one did.</summary>
    public PosixSignal? Signal => _signal;

    /// <summary>
    /// Writes the peer's events with <paramref name="writeLine"/> until it stops. A signal, or <paramref name="stop"/>
    /// (the pipeline's stop token), starts its departure; lines keep coming until it is gone.
    /// <paramref name="writeLine"/> returns false once it can write no more (a stopped pipeline).
    /// </summary>
    public void Run(Func<string, bool> writeLine, CancellationToken stop)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, _signalled.Token);
        Task? departure = null;
        var writing = true;
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
            if (writing && raised.Kind is not (DhtEventKind.PingRequestsSent or DhtEventKind.PingRequestReceived or DhtEventKind.PingResponseReceived))
                writing = writeLine(Format(raised));
        }
        departure?.GetAwaiter().GetResult();
    }

    /// <summary>One event as one line: UTC time (ISO 8601), the peer, the kind and the original's text.</summary>
    public static string Format(DhtEvent raised) =>
        string.Create(CultureInfo.InvariantCulture, $"{raised.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} peer {raised.PeerId} {raised.Kind}: {raised.Message}");

    private async Task DepartBoundedAsync()
    {
        var departing = PeerRegistry.StopAsync(_job);
        if (await Task.WhenAny(departing, Task.Delay(DepartureBound)).ConfigureAwait(false) != departing)
            await PeerRegistry.StopAsync(_job, abrupt: true).ConfigureAwait(false);
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // Not the runtime's default exit: the peer departs first, then the wait ends normally.
        _signal ??= context.Signal;
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
        foreach (var registration in _signals)
            registration.Dispose();
        _signalled.Dispose();
    }
}
