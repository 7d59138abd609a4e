namespace DhtPs.Core.Peer;

/// <summary>
/// One thing a peer did or saw. <see cref="Message"/> is the text the original program printed;
/// <see cref="Kind"/> and <see cref="RemotePeerId"/> are for scripts to filter on.
/// </summary>
public sealed record DhtEvent(DateTimeOffset Time, ulong PeerId, DhtEventKind Kind, string Message, ulong? RemotePeerId = null)
{
    public override string ToString() => Message;
}
