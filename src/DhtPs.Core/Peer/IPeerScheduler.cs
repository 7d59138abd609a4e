namespace DhtPs.Core.Peer;

/// <summary>
/// The peer's logical thread: work posted here runs one item at a time, in order.
/// Real peers drain a channel on a background task; a simulation runs work on its own clock.
/// </summary>
public interface IPeerScheduler : IAsyncDisposable
{
    void Post(Action work);
}
