namespace DhtPs.Core.Peer;

/// <summary>
/// One thing a peer did or saw. <see cref="Message"/> is the text the original program printed;
/// <see cref="Kind"/> and <see cref="RemotePeerId"/> are for scripts to filter on.
/// </summary>
/// <remarks>An <see cref="EventArgs"/>, so PowerShell's Register-ObjectEvent hands it to actions as $EventArgs.</remarks>
public sealed class DhtEvent(DateTimeOffset time, ulong peerId, DhtEventKind kind, string message, ulong? remotePeerId = null) : EventArgs
{
    public DateTimeOffset Time { get; } = time;
    public ulong PeerId { get; } = peerId;
    public DhtEventKind Kind { get; } = kind;
    public string Message { get; } = message;
    public ulong? RemotePeerId { get; } = remotePeerId;

    /// <summary>
    /// On a <see cref="DhtEventKind.SuccessorDead"/> the failure detector found: the missed pings, the round trips, the
    /// timeouts (the message keeps the original's words). Null on every other event.
    /// </summary>
    public FailureDetection.FailureEvidence? Evidence { get; init; }

    public override string ToString() => Message;
}
