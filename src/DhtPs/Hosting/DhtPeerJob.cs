using System.ComponentModel;
using System.Management.Automation;
using DhtPs.Core.Peer;

namespace DhtPs.Hosting;

/// <summary>
/// A running peer as a PowerShell job: Get-Job lists it, Receive-Job streams its events, Stop-Job makes it depart
/// gracefully. Output holds the ring's story; warnings go to Warning, internal errors to Error; pings, which would
/// crowd out everything else at a short interval, are kept apart: <see cref="Pings"/> reads them from the latest
/// events of every kind (<see cref="Backlog"/>). Every buffer is bounded.
/// The state goes Running, then Stopping while it departs, then Stopped, or Failed with the reason when it ended
/// otherwise than asked (a join that failed, a peer that stopped on its own).
/// </summary>
public sealed class DhtPeerJob : Job2
{
    public const string JobTypeName = "DhtPeerJob";
    public const int EventBufferLimit = 10_000;
    public const int RecordBufferLimit = 1_000;

    public const int BacklogLimit = 1_000;

    /// <summary>The most ping events <see cref="Pings"/> holds: those among the latest <see cref="BacklogLimit"/> events.</summary>
    public const int PingBufferLimit = BacklogLimit;

    private readonly RecentEvents _recent;
    private int _stopAsked;
    private int _finished;
    private Exception? _failure;

    internal DhtPeerJob(PeerNode peer, string command, TimeSpan departTimeout)
        : base(command, $"DhtPeer{peer.Id}")
    {
        Peer = peer;
        _recent = new RecentEvents(peer.Id, BacklogLimit);
        DepartTimeout = departTimeout;
        PSJobTypeName = JobTypeName;
        peer.EventRaised += OnEventRaised;
        peer.Completion.ContinueWith(_ => Finish(), TaskScheduler.Default);
        SetJobState(JobState.Running);
    }

    /// <summary>The live peer, for Register-ObjectEvent on its EventRaised event.</summary>
    public PeerNode Peer { get; }

    /// <summary>
    /// How long a graceful departure may take before the peer stops abruptly (Start-DhtPeer -DepartTimeout): for
    /// Stop-Job, Stop-DhtPeer without -Timeout, SIGTERM, Remove-Module and the process's exit alike.
    /// </summary>
    public TimeSpan DepartTimeout { get; }

    /// <summary>The ping events among the latest events (at most <see cref="PingBufferLimit"/>), oldest first; Receive-Job leaves them out.</summary>
    public IReadOnlyList<DhtEvent> Pings => _recent.ToArray(kind => StreamOf(kind) is EventStream.Ping);

    /// <summary>Every ping event the peer raised, including those no longer in <see cref="Pings"/>.</summary>
    public long PingCount => _recent.Pings;

    public override string Location => Peer.Contact.EndPoint;

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Debug.Count > 0 || Information.Count > 0 || Progress.Count > 0;

    public override string StatusMessage => _failure?.Message ?? Peer.Snapshot.State.ToString();

    /// <summary>Stop-Job: a graceful departure, bounded by <see cref="DepartTimeout"/>.</summary>
    public override void StopJob() => PeerRegistry.StopAsync(this).GetAwaiter().GetResult();

    public override void StopJob(bool force, string reason) => PeerRegistry.StopAsync(this, abrupt: force).GetAwaiter().GetResult();

    public override void StopJobAsync() => StopJobAsync(force: false, reason: "");

    /// <summary>Stop-Job on a Job2 calls this and waits for StopJobCompleted.</summary>
    public override void StopJobAsync(bool force, string reason) =>
        PeerRegistry.StopAsync(this, abrupt: force).ContinueWith(
            stopped => OnStopJobCompleted(new AsyncCompletedEventArgs(stopped.Exception?.InnerException, false, null)), TaskScheduler.Default);

    // A peer job starts with its peer, and a peer cannot pause: the other Job2 operations do not apply.
    public override void StartJob() => throw NotSupported("started again; start a new peer with Start-DhtPeer");
    public override void StartJobAsync() => StartJob();
    public override void SuspendJob() => throw NotSupported("suspended");
    public override void SuspendJobAsync() => SuspendJob();
    public override void SuspendJob(bool force, string reason) => SuspendJob();
    public override void SuspendJobAsync(bool force, string reason) => SuspendJob();
    public override void ResumeJob() => throw NotSupported("resumed");
    public override void ResumeJobAsync() => ResumeJob();
    public override void UnblockJob() => throw NotSupported("unblocked");
    public override void UnblockJobAsync() => UnblockJob();

    private NotSupportedException NotSupported(string what) => new($"A DhtPs peer job cannot be {what}.");

    /// <summary>Stopping starts: the state is Stopping until the peer has stopped.</summary>
    internal void MarkStopping()
    {
        if (Interlocked.Exchange(ref _stopAsked, 1) == 0 && !IsFinishedState(JobStateInfo.State))
            SetJobState(JobState.Stopping);
    }

    /// <summary>The peer is being stopped because of <paramref name="reason"/>: the job ends Failed, not Stopped.</summary>
    internal void MarkFailed(Exception reason)
    {
        Interlocked.CompareExchange(ref _failure, reason, null);
        MarkStopping();
    }

    /// <summary>The latest <paramref name="count"/> events of every kind (at most <see cref="BacklogLimit"/>), oldest first, for Enter-DhtPeer -Backlog.</summary>
    internal IReadOnlyList<DhtEvent> Backlog(int count) => [.. _recent.ToArray(_ => true).TakeLast(count)];

    /// <summary>
    /// The peer has stopped: the job takes its final state, once. The peer's completion calls it, and so does a stop,
    /// so that Stop-Job returns with the state already Stopped rather than racing the completion's continuation.
    /// </summary>
    internal void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 1)
            return;
        if (_failure is { } failure)
            SetJobState(JobState.Failed, failure);
        else if (Volatile.Read(ref _stopAsked) == 1)
            SetJobState(JobState.Stopped);
        else
            SetJobState(JobState.Failed, new InvalidOperationException($"Peer {Peer.Id} stopped on its own."));
    }

    private static bool IsFinishedState(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    /// <summary>On the peer's logical thread, the only writer; Receive-Job only takes from the collections.</summary>
    private void OnEventRaised(object? sender, DhtEvent raised)
    {
        var stream = StreamOf(raised.Kind);
        _recent.Add(raised, stream is EventStream.Ping);
        switch (stream)
        {
            case EventStream.Ping:
                break;
            case EventStream.Error:
                Error.Add(new ErrorRecord(new InvalidOperationException($"Peer {raised.PeerId}: {raised.Message}"),
                    "DhtPeerInternalError", ErrorCategory.NotSpecified, raised));
                Trim(Error, RecordBufferLimit);
                break;
            case EventStream.Warning:
                Warning.Add(new WarningRecord($"Peer {raised.PeerId}: {raised.Message}"));
                Trim(Warning, RecordBufferLimit);
                break;
            default:
                Output.Add(PSObject.AsPSObject(raised));
                Trim(Output, EventBufferLimit);
                break;
        }
    }

    internal enum EventStream { Output, Ping, Warning, Error }

    internal static EventStream StreamOf(DhtEventKind kind) => kind switch
    {
        DhtEventKind.PingRequestsSent or DhtEventKind.PingRequestReceived or DhtEventKind.PingResponseReceived => EventStream.Ping,
        DhtEventKind.InternalError => EventStream.Error,
        DhtEventKind.MalformedInput or DhtEventKind.RingMismatch or DhtEventKind.FileTransferFailed or DhtEventKind.FileRefused
            or DhtEventKind.SuccessorChangeRefuted or DhtEventKind.DepartureNoticeRefuted => EventStream.Warning,
        _ => EventStream.Output,
    };

    /// <summary>
    /// Drops the oldest items past <paramref name="limit"/>. Receive-Job may empty the collection between the count and
    /// the removal (the reader only takes), and then there is nothing left to drop.
    /// </summary>
    private static void Trim<T>(PSDataCollection<T> items, int limit)
    {
        while (items.Count > limit)
        {
            try
            {
                items.RemoveAt(0);
            }
            catch (ArgumentOutOfRangeException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The latest events up to a limit, and how many pings there were in all; thread-safe. Each is kept as a small
    /// struct and made an event again when read: a job keeps a thousand per peer, and 1,000 peers in one process held a
    /// million event objects for the GC to trace (issue 12). The texts are the peer's own, shared between its events.
    /// </summary>
    private sealed class RecentEvents(ulong peerId, int limit)
    {
        private readonly Queue<KeptEvent> _events = new();
        private readonly Lock _gate = new();
        private long _pings;

        public long Pings
        {
            get
            {
                lock (_gate)
                    return _pings;
            }
        }

        public void Add(DhtEvent raised, bool isPing)
        {
            lock (_gate)
            {
                _events.Enqueue(new KeptEvent(raised));
                if (_events.Count > limit)
                    _events.Dequeue();
                if (isPing)
                    _pings++;
            }
        }

        public DhtEvent[] ToArray(Func<DhtEventKind, bool> kinds)
        {
            KeptEvent[] kept;
            lock (_gate)
                kept = [.. _events];
            return [.. kept.Where(e => kinds(e.Kind)).Select(e => e.ToEvent(peerId))];
        }
    }

    private readonly struct KeptEvent(DhtEvent raised)
    {
        private readonly long _utcTicks = raised.Time.UtcTicks;
        private readonly string _message = raised.Message;
        private readonly ulong _remote = raised.RemotePeerId.GetValueOrDefault();
        private readonly Core.Peer.FailureDetection.FailureEvidence? _evidence = raised.Evidence;
        private readonly bool _hasRemote = raised.RemotePeerId.HasValue;

        public DhtEventKind Kind { get; } = raised.Kind;

        public DhtEvent ToEvent(ulong peerId) =>
            new(new DateTimeOffset(_utcTicks, TimeSpan.Zero), peerId, Kind, _message, _hasRemote ? _remote : null) { Evidence = _evidence };
    }
}
