using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// A newcomer's take-over of the files its successor held for the newcomer's keys: whether more may still come.
/// Touched only on the logical thread.
/// </summary>
internal sealed class TakeOverProgress(PeerContact from, ulong after, DateTimeOffset now)
{
    private int? _offered;
    private int _settled;
    private int _inFlight;
    private DateTimeOffset _lastActivity = now;

    /// <summary>The successor the files come from.</summary>
    public PeerContact From { get; } = from;

    /// <summary>The predecessor the keys taken over start after: (<see cref="After"/>, the newcomer].</summary>
    public ulong After { get; } = after;

    public void Offered(int files, DateTimeOffset now) => (_offered, _lastActivity) = (files, now);

    public void Started(DateTimeOffset now) => (_inFlight, _lastActivity) = (_inFlight + 1, now);

    public void Finished(DateTimeOffset now) => (_inFlight, _settled, _lastActivity) = (_inFlight - 1, _settled + 1, now);

    /// <summary>A file the successor offered that was refused before its bytes came.</summary>
    public void Skipped(DateTimeOffset now) => (_settled, _lastActivity) = (_settled + 1, now);

    /// <summary>
    /// True while files may still arrive: one is on its way, or fewer have come than were offered (or the offer is
    /// still unknown) and the successor has not been silent for longer than <paramref name="patience"/>.
    /// </summary>
    public bool Pending(DateTimeOffset now, TimeSpan patience) =>
        _inFlight > 0 || ((_offered is null || _settled < _offered) && now - _lastActivity < patience);
}
