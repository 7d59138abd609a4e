using DhtPs.Commands;
using DhtPs.Core.Peer;

namespace DhtPs.Hosting;

/// <summary>
/// While a cmdlet waits on an operation, the events of every local peer go to its Verbose stream (the ring's story,
/// so a request's route shows hop by hop when the ring runs in this process) and pings to Debug. The peers raise them on
/// their own threads; they are queued for the pipeline thread.
/// </summary>
internal sealed class PeerEventTrace : IDisposable
{
    private readonly DhtCmdlet _cmdlet;
    private readonly PipelineQueue _queue;
    private readonly PeerNode[] _peers;

    /// <remarks>
    /// Always on: the engine drops the records nobody asked for, and it alone knows the preference in force
    /// (a binary module's cmdlet cannot read the caller's $VerbosePreference from its own session state).
    /// </remarks>
    public PeerEventTrace(DhtCmdlet cmdlet, PipelineQueue queue)
    {
        _cmdlet = cmdlet;
        _queue = queue;
        _peers = [.. PeerRegistry.All.Select(job => job.Peer)];
        foreach (var peer in _peers)
            peer.EventRaised += OnEventRaised;
    }

    public static bool IsChatter(DhtEventKind kind) =>
        kind is DhtEventKind.PingRequestsSent or DhtEventKind.PingRequestReceived or DhtEventKind.PingResponseReceived;

    private void OnEventRaised(object? sender, DhtEvent raised)
    {
        var text = $"Peer {raised.PeerId}: {raised.Message}";
        if (IsChatter(raised.Kind))
            _queue.Post(() => _cmdlet.WriteDebug(text));
        else
            _queue.Post(() => _cmdlet.WriteVerbose(text));
    }

    public void Dispose()
    {
        foreach (var peer in _peers)
            peer.EventRaised -= OnEventRaised;
    }
}
