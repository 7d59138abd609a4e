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
    private readonly bool _verbose;
    private readonly bool _debug;

    /// <remarks>
    /// Only the streams the engine will write are traced (<see cref="DhtCmdlet.Writes"/>): every event of every local
    /// peer, pings included, would otherwise be formatted and queued for every cmdlet waiting at the time, and wake its
    /// pipeline thread, for records the engine then drops.
    /// </remarks>
    public PeerEventTrace(DhtCmdlet cmdlet, PipelineQueue queue)
    {
        _cmdlet = cmdlet;
        _queue = queue;
        _verbose = cmdlet.Writes("Verbose", "VerbosePreference");
        _debug = cmdlet.Writes("Debug", "DebugPreference");
        _peers = _verbose || _debug ? [.. PeerRegistry.All.Select(job => job.Peer)] : [];
        foreach (var peer in _peers)
            peer.EventRaised += OnEventRaised;
    }

    public static bool IsChatter(DhtEventKind kind) =>
        kind is DhtEventKind.PingRequestsSent or DhtEventKind.PingRequestReceived or DhtEventKind.PingResponseReceived;

    private void OnEventRaised(object? sender, DhtEvent raised)
    {
        var chatter = IsChatter(raised.Kind);
        if (chatter ? !_debug : !_verbose)
            return;
        var text = $"Peer {raised.PeerId}: {raised.Message}";
        if (chatter)
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
