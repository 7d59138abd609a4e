namespace DhtPs.Core.Peer;

/// <summary>
/// The peer's logical thread: work posted here runs one item at a time, in order.
/// Real peers drain a channel on a background task; a simulation runs work on its own clock.
/// </summary>
public interface IPeerScheduler : IAsyncDisposable
{
    void Post(Action work);

    /// <summary>
    /// Starts work that runs beside the logical thread, such as sending a file; it posts back with <see cref="Post"/>.
    /// Real peers run it on the thread pool; a simulation runs it on its clock, so it stays on the simulation thread.
    /// </summary>
    void RunInBackground(Func<Task> work);

    /// <summary>
    /// How the peer's completion sources resume their awaiters. Real peers resume them asynchronously, so a caller's
    /// continuation never runs on the logical thread; a simulation resumes them inline, so they stay on its thread.
    /// </summary>
    TaskCreationOptions CompletionOptions { get; }
}
