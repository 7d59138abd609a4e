using DhtPs.Core.Transport;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>Joining and leaving a ring, the public side: the work is <see cref="Maintenance.RingMaintenance"/>'s and the file service's.</summary>
public sealed partial class PeerNode
{
    /// <summary>
    /// Joins the ring <paramref name="knownPeer"/> belongs to. Completes with the peer's state once the join is accepted;
    /// fails with a <see cref="JoinException"/> on refusal or after <paramref name="timeout"/>, leaving a ring of one.
    /// </summary>
    public Task<DhtPeer> JoinAsync(PeerLocator knownPeer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var joined = new TaskCompletionSource<DhtPeer>(_scheduler.CompletionOptions);
        Run(() => _maintenance.BeginJoin(knownPeer, timeout, joined));
        return Measured("join", joined.Task.WaitAsync(cancellationToken), _ => null);
    }

    /// <summary>
    /// Leaves the ring gracefully: hands its files to its first successor (<see cref="FileServing.FileService.HandOffFilesAsync"/>), stops pinging, tells both predecessors its successors, waits for their
    /// acknowledgements (each bounded by <see cref="PeerOptions.RequestTimeout"/>), then stops.
    /// </summary>
    public async Task DepartAsync()
    {
        if (Volatile.Read(ref _stopRequested) == 0)
        {
            await _fileService.HandOffFilesAsync().ConfigureAwait(false);
            var notices = new TaskCompletionSource<Task>(_scheduler.CompletionOptions);
            Run(() => notices.SetResult(_maintenance.Depart()));
            try
            {
                // The notice step itself may never run if the peer is being stopped at the same moment.
                var acknowledged = await notices.Task.WaitAsync(_options.RequestTimeout, Time).ConfigureAwait(false);
                await acknowledged.ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or TransportException)
            {
                // Departure is best effort: a predecessor that does not answer will notice through missed pings.
            }
        }
        await StopAsync().ConfigureAwait(false);
    }
}
