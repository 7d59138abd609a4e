using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>SPEC §5: a graceful departure tells both predecessors the departing peer's successors.</summary>
public sealed partial class PeerNode
{
    /// <summary>
    /// Leaves the ring gracefully: hands its files to its first successor (see <see cref="HandOffFilesAsync"/>), stops pinging, tells both predecessors its successors, waits for their
    /// acknowledgements (each bounded by <see cref="PeerOptions.RequestTimeout"/>), then stops.
    /// </summary>
    public async Task DepartAsync()
    {
        if (Volatile.Read(ref _stopRequested) == 0)
        {
            await HandOffFilesAsync().ConfigureAwait(false);
            var notices = new TaskCompletionSource<Task>(_scheduler.CompletionOptions);
            Run(() => notices.SetResult(NotifyPredecessorsOfDeparture()));
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

    private Task NotifyPredecessorsOfDeparture()
    {
        if (_status is not PeerStatus.Running)
            return Task.CompletedTask;
        _status = PeerStatus.Departing;
        StopPinging();
        _detector.Stop();
        var notice = new DepartureNotice { Sender = Contact, IdBits = Space.Bits, Successors = CurrentSuccessors() };
        return Task.WhenAll(CurrentPredecessors()
            .Where(p => p.Id != Id)
            .DistinctBy(p => p.Id)
            .Select(p => _transport.RequestAsync(p.ToEndPoint(), notice, _options.RequestTimeout, CancellationToken.None)));
    }

    /// <summary>SPEC §5, at a predecessor: the departing successor's successors take its place.</summary>
    private Message HandleDepartureNotice(DepartureNotice notice)
    {
        var departing = notice.Sender.Id;
        if (!_neighborhood.Lists(departing))
            return Ack(); // Not a successor of this peer (any more): nothing to take over.
        Raise(DhtEventKind.DepartureNoticeReceived, $"Peer {departing} will depart from the network", departing);
        SetSuccessors(ComposeSuccessors([.. CurrentSuccessors(), .. notice.Successors], new HashSet<ulong> { departing }));
        AnnounceSuccessors();
        return Ack();
    }
}
