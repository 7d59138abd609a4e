using System.Net;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Peer.FileServing;
using DhtPs.Core.Peer.Maintenance;
using DhtPs.Core.Peer.Routing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>
/// One running peer. All state lives on one logical thread (<see cref="IPeerScheduler"/>):
/// transport callbacks and timers post work to it, and readers get immutable
/// <see cref="DhtPeer"/> snapshots. The protocol lives in its components (Neighborhood, FailureDetector, RingMaintenance,
/// Router, FileService: docs/architecture.md section 0), each owning its state; this host runs them, dispatches to them
/// and is their context.
/// </summary>
public sealed partial class PeerNode : ITransportHandler, IAsyncDisposable
{
    private readonly PeerOptions _options;
    private readonly PeerEnvironment _environment;
    private readonly IPeerScheduler _scheduler;
    private readonly TaskCompletionSource _stopped;
    private readonly DateTimeOffset _startTime;
    private IPeerTransport _transport = null!;
    private PeerStatus _status = PeerStatus.Starting;
    private DhtPeer _snapshot = null!;

    /// <summary>The neighbourhood changed since the last snapshot; the rest of a snapshot is compared with the state itself.</summary>
    private bool _neighborhoodChanged = true;
    private long _malformedInputs;
    private long _authenticationFailures;
    private long _connectionsRefused;
    private long _slowConnectionsCut;
    private int _startRequested;
    private int _stopRequested;
    private readonly Router _router;
    private readonly Neighborhood _neighborhood;
    private readonly FailureDetector _detector;
    private readonly RingMaintenance _maintenance;
    private readonly FileService _fileService;
    private readonly RepeatedTexts _pingTexts = new();

    /// <summary>
    /// The dispatch table: which handler takes each request type (docs/architecture.md section 0 maps them to components).
    /// A handler answers through the callback it is given, once, on the logical thread: most at once, a few only after
    /// checking the request with another peer.
    /// </summary>
    private readonly Dictionary<Type, Action<Message, Action<Message>>> _requestHandlers;

    private PeerNode(PeerOptions options, PeerEnvironment environment)
    {
        options = options.WithReplicaSuccessors(); // Every component sees the successor list replication needs.
        _options = options;
        _environment = environment;
        _metrics = new Diagnostics.PeerMetrics(options.Id);
        Space = new IdSpace(options.IdBits);
        _startTime = environment.Time.GetUtcNow();
        _router = new Router(this, options, _startTime.UtcTicks);
        _neighborhood = new Neighborhood(Space, options.Id, options);
        _neighborhood.SuccessorDeclaredDead += _router.ForgetPeer; // A successor declared dead is no finger either.
        _neighborhood.Changed += () => _neighborhoodChanged = true;
        _detector = new FailureDetector(this, _neighborhood, options);
        _maintenance = new RingMaintenance(this, _neighborhood, options);
        _detector.Dead += _maintenance.DeclareDead;
        _fileService = new FileService(this, _neighborhood, options);
        _maintenance.Joined += _fileService.RequestTakeOver; // The newcomer's files come from its first successor.
        _maintenance.Relinked += _fileService.TakeOverAfterRelink; // So do those of a peer back on the ring without a join.
        _requestHandlers = RequestHandlers();
        _scheduler = environment.CreateScheduler(e => Raise(DhtEventKind.InternalError, $"Internal error: {e.Message}"));
        _stopped = new TaskCompletionSource(_scheduler.CompletionOptions);
    }

    public ulong Id => _options.Id;

    public IdSpace Space { get; }

    /// <summary>This peer as others reach it; known once its sockets are bound.</summary>
    public PeerContact Contact { get; private set; } = null!;

    public DhtPeer Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Completes when the peer has stopped and released its sockets.</summary>
    public Task Completion => _stopped.Task;

    /// <summary>Raised on the peer's logical thread; handlers must be quick and must not block.</summary>
    public event EventHandler<DhtEvent>? EventRaised;

    private TimeProvider Time => _environment.Time;

    public static async Task<PeerNode> StartAsync(PeerOptions options, PeerEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        var node = await BindAsync(options, environment, cancellationToken).ConfigureAwait(false);
        var started = new TaskCompletionSource(node._scheduler.CompletionOptions);
        node.Start(started.SetResult);
        await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return node;
    }

    /// <summary>
    /// Binds the peer's sockets without starting it, so a caller can subscribe to <see cref="EventRaised"/> first.
    /// A simulation that drives the logical thread itself then calls <see cref="Start"/> and never hops threads.
    /// </summary>
    public static async Task<PeerNode> BindAsync(PeerOptions options, PeerEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var node = new PeerNode(options, environment ?? PeerEnvironment.Real);
        var port = options.Port ?? PeerContact.ForId(options.Id).Port;
        try
        {
            var network = Transport.Faults.FaultInjectingNetwork.Wrap(node._environment.Network, options.Faults?.ForPeer(options.Id), node._environment.Time);
            node._transport = await Diagnostics.MeteredTransport.BindAsync(network,
                new IPEndPoint(IPAddress.Parse(options.Address), port), node._environment.Codec, node, node._metrics, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await node._scheduler.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        node.Contact = new PeerContact(options.Id, options.ContactAddress, node._transport.LocalEndPoint.Port);
        node._fileService.OpenStore(node.Contact.Port);
        return node;
    }

    /// <summary>Starts a bound peer on its logical thread; <paramref name="onStarted"/> runs there once it is running. Call once.</summary>
    public void Start(Action? onStarted = null)
    {
        if (Interlocked.Exchange(ref _startRequested, 1) == 1)
            throw new InvalidOperationException($"Peer {Id} has already been started.");
        Run(() =>
        {
            StartPinging();
            _status = PeerStatus.Running;
            Raise(DhtEventKind.Started, $"Peer {Id} is listening on {Contact.EndPoint}");
            PublishSnapshot(); // Whoever is told it started reads the snapshot next (Start-DhtPeer writes it).
            onStarted?.Invoke();
        });
    }

    /// <summary>Stops at once, telling nobody (the original's Ctrl-C), and frees the sockets.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
        {
            await Completion.ConfigureAwait(false);
            return;
        }
        StopPinging();
        await _transport.DisposeAsync().ConfigureAwait(false);
        Run(() =>
        {
            _detector.Stop();
            _router.AbandonAll();
            _status = PeerStatus.Stopped;
            Raise(DhtEventKind.Stopped, $"Peer {Id} has stopped");
        });
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        _stopped.TrySetResult();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Runs work on the logical thread, then publishes a new snapshot if the work changed what it shows.</summary>
    private void Run(Action work) => _scheduler.Post(() =>
    {
        work();
        PublishSnapshotIfChanged();
    });

    /// <summary>
    /// Most work items (a ping, a forwarded request) change nothing a snapshot shows: they keep the last one instead
    /// of building fresh arrays (issue 12). Fingers are copy-on-write, so the same table is the same reference.
    /// </summary>
    private void PublishSnapshotIfChanged()
    {
        var last = _snapshot;
        if (last is null || _neighborhoodChanged || last.State != _status || !ReferenceEquals(last.Fingers, _router.Fingers)
            || last.MalformedInputs != Interlocked.Read(ref _malformedInputs)
            || last.AuthenticationFailures != Interlocked.Read(ref _authenticationFailures)
            || last.ConnectionsRefused != Interlocked.Read(ref _connectionsRefused)
            || last.SlowConnectionsCut != Interlocked.Read(ref _slowConnectionsCut))
            PublishSnapshot();
    }

    private void PublishSnapshot()
    {
        _neighborhoodChanged = false;
        var successors = CurrentSuccessors();
        var predecessors = CurrentPredecessors();
        Volatile.Write(ref _snapshot, new DhtPeer(
            Id,
            Space.Bits,
            Contact.ToEndPoint(),
            _status,
            Predecessors: predecessors.Select(p => p.Id).ToArray(),
            Successors: successors.Select(s => s.Id).ToArray(),
            _options.PingInterval,
            SuccessorContacts: successors,
            PredecessorContacts: predecessors,
            Interlocked.Read(ref _malformedInputs),
            _startTime)
        {
            Fingers = _router.Fingers,
            DataPath = DataPath,
            Authenticated = _environment.Codec.IsAuthenticated,
            AuthenticationFailures = Interlocked.Read(ref _authenticationFailures),
            ConnectionsRefused = Interlocked.Read(ref _connectionsRefused),
            SlowConnectionsCut = Interlocked.Read(ref _slowConnectionsCut),
        });
    }

    private void Raise(DhtEventKind kind, string message, ulong? remotePeerId = null, FailureEvidence? evidence = null)
    {
        Count(kind);
        var handler = EventRaised;
        if (handler is null)
            return;
        if (kind is DhtEventKind.PingRequestsSent or DhtEventKind.PingRequestReceived or DhtEventKind.PingResponseReceived)
            message = _pingTexts.Share(message);
        var raised = new DhtEvent(Time.GetUtcNow(), Id, kind, message, remotePeerId) { Evidence = evidence };
        foreach (var subscriber in Delegate.EnumerateInvocationList(handler))
        {
            try
            {
                subscriber(this, raised);
            }
            catch
            {
                // A faulty subscriber must not take the peer down.
            }
        }
    }

    void ITransportHandler.OnDatagram(IPEndPoint from, uint sequence, Message message) =>
        Run(() => HandleDatagram(from, sequence, message));

    Task<Message> ITransportHandler.OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<Message>();
        Run(() =>
        {
            try
            {
                HandleRequest(request, answer =>
                {
                    PublishSnapshotIfChanged(); // Whoever gets the answer may look at this peer's state next.
                    reply.TrySetResult(answer);
                });
            }
            catch (Exception e)
            {
                // A bug here must not look like a dead peer to the caller: say so on both sides.
                Raise(DhtEventKind.InternalError, $"Internal error handling {request.GetType().Name} from Peer {request.Sender.Id}: {e.Message}");
                reply.TrySetResult(Refuse(ErrorCode.InternalError, $"Peer {Id} failed to handle the request: {e.Message}"));
            }
        });
        return reply.Task;
    }

    /// <summary>Input the ingest point refused: counted and said so; a request that decoded is answered with the refusal.</summary>
    Message? ITransportHandler.OnRefused(IPEndPoint from, InputRefusal refusal)
    {
        if (refusal is { Kind: RefusalKind.OtherRing, Message: { } other })
        {
            if (refusal.Path is InputPath.Datagram)
                Run(() => Raise(DhtEventKind.RingMismatch,
                    $"Ignored a message from Peer {other.Sender.Id}: it uses {other.IdBits}-bit ids, this ring uses {Space.Bits}", other.Sender.Id));
            return refusal.Path is InputPath.Request or InputPath.StreamOpening
                ? Refuse(ErrorCode.IdBitsMismatch, $"Peer {Id} belongs to a {Space}; the request came from a {other.IdBits}-bit ring.")
                : null;
        }
        switch (refusal.Kind)
        {
            case RefusalKind.Unauthenticated:
                Interlocked.Increment(ref _authenticationFailures);
                Run(() => Raise(DhtEventKind.AuthenticationFailed, refusal.Path is InputPath.Answer
                    ? $"Authentication with {from} failed: {refusal.Reason}"
                    : $"Dropped unauthenticated input from {from}: {refusal.Reason}"));
                // Answered in the clear, so the other side learns it was refused rather than taking this peer for dead.
                return refusal.Path is InputPath.Request or InputPath.StreamOpening
                    ? Refuse(ErrorCode.AuthenticationFailed, _environment.Codec.IsAuthenticated
                        ? $"Peer {Id} refused the connection: it is not authenticated with this ring's secret."
                        : $"Peer {Id} belongs to an open ring and has no ring secret.")
                    : null;
            case RefusalKind.ConnectionLimit:
                Interlocked.Increment(ref _connectionsRefused);
                return null;
            case RefusalKind.TooSlow:
                Interlocked.Increment(ref _slowConnectionsCut);
                return null;
            default:
                Interlocked.Increment(ref _malformedInputs);
                Run(() => Raise(DhtEventKind.MalformedInput, $"Dropped malformed input from {from}: {refusal.Description}"));
                return refusal is { Message: not null, Path: InputPath.Request or InputPath.StreamOpening } ? Refuse(refusal.Code, refusal.Reason) : null;
        }
    }

    private void HandleDatagram(IPEndPoint from, uint sequence, Message message)
    {
        if (_status is PeerStatus.Stopped)
            return;
        AbsorbGossip(message);
        switch (message)
        {
            case PingRequest request:
                _detector.HandlePing(from, sequence, request);
                break;
            case PingResponse response:
                _detector.HandlePong(from, sequence, response);
                break;
            case IndirectPingRequest request:
                _detector.HandleIndirectPingRequest(from, sequence, request);
                break;
            case IndirectPingAck ack:
                _detector.HandleIndirectAck(from, sequence, ack);
                break;
            default:
                CountMalformed(from, $"{message.GetType().Name} is not a datagram message");
                break;
        }
    }

    /// <summary>A request that passed the ingest point (decoded, authenticated, validated for this ring).</summary>
    private void HandleRequest(Message request, Action<Message> reply)
    {
        if (_status is PeerStatus.Stopped)
            reply(Refuse(ErrorCode.NotRunning, $"Peer {Id} has stopped."));
        else if (_requestHandlers.TryGetValue(request.GetType(), out var handle))
            handle(request, reply);
        else
            reply(Refuse(ErrorCode.UnsupportedRequest, $"Peer {Id} does not handle {request.GetType().Name} requests."));
    }

    private Dictionary<Type, Action<Message, Action<Message>>> RequestHandlers()
    {
        static Action<Message, Action<Message>> AtOnce(Func<Message, Message> handle) => (request, reply) => reply(handle(request));
        return new()
        {
            // Ring maintenance: join, admission, departure. A successor change and a departure notice are answered once
            // checked with the peer they name (issue 17), so a departing peer's notice is acted on before it stops.
            [typeof(JoinRequest)] = AtOnce(m => _maintenance.HandleJoinRequest((JoinRequest)m)),
            [typeof(JoinAccepted)] = AtOnce(m => _maintenance.HandleJoinAccepted((JoinAccepted)m)),
            [typeof(JoinRefused)] = AtOnce(m => _maintenance.HandleJoinRefused((JoinRefused)m)),
            [typeof(SuccessorChange)] = (m, reply) => _maintenance.HandleSuccessorChange((SuccessorChange)m, reply),
            [typeof(DepartureNotice)] = (m, reply) => _maintenance.HandleDepartureNotice((DepartureNotice)m, reply),
            // The host answers for the neighbourhood (repair, stabilization, confirmations, finger checks, Get-DhtRing ask it).
            [typeof(NeighborsRequest)] = AtOnce(_ => HandleNeighborsRequest()),
            // Router: every routed request and the one answer shape.
            [typeof(LookupRequest)] = AtOnce(m => HandleRoutedRequest((RoutedRequest)m)),
            [typeof(StoreRequest)] = AtOnce(m => HandleRoutedRequest((RoutedRequest)m)),
            [typeof(FetchRequest)] = AtOnce(m => HandleRoutedRequest((RoutedRequest)m)),
            [typeof(RemoveRequest)] = AtOnce(m => HandleRoutedRequest((RoutedRequest)m)),
            [typeof(DigestRequest)] = AtOnce(m => HandleRoutedRequest((RoutedRequest)m)),
            [typeof(RouteAnswer)] = AtOnce(m => _router.HandleAnswer((RouteAnswer)m)),
            // File service: take-over on join (larger uploads and deliveries are streams: OnStreamAsync in PeerNode.FileStreams.cs).
            // A take-over is answered once the sender is known to be the new first predecessor (issue 17).
            [typeof(TakeOverRequest)] = (m, reply) => _fileService.HandleTakeOverRequest((TakeOverRequest)m, reply),
            // File service: the copies on the next r - 1 successors. A sync is answered once the removals it carries are on disk.
            [typeof(ReplicaSync)] = (m, reply) => _fileService.HandleReplicaSync((ReplicaSync)m, reply),
            [typeof(ReplicaRelease)] = AtOnce(m => _fileService.HandleReplicaRelease((ReplicaRelease)m)),
            // Small files inside a message, each answered once it is in place: a delivery to its origin, an upload to its keeper.
            [typeof(FileContent)] = (m, reply) => _fileService.HandleFileContent((FileContent)m, reply),
            [typeof(FileUploadContent)] = (m, reply) => _fileService.HandleUploadContent((FileUploadContent)m, reply),
            // Test-DhtRing's file report.
            [typeof(StoredFilesRequest)] = (m, reply) => _fileService.HandleStoredFilesRequest((StoredFilesRequest)m, reply),
        };
    }

    private Message HandleRoutedRequest(RoutedRequest request)
    {
        if (_status is not PeerStatus.Running)
            return Refuse(ErrorCode.NotRunning, $"Peer {Id} is {_status} and takes no routed requests.");
        _router.Route(request);
        return Ack();
    }

    private ErrorResponse Refuse(ErrorCode code, string reason) =>
        new() { Sender = Contact, IdBits = Space.Bits, Code = code, Reason = reason };

    private void CountMalformed(IPEndPoint from, string reason)
    {
        Interlocked.Increment(ref _malformedInputs);
        Raise(DhtEventKind.MalformedInput, $"Dropped malformed input from {from}: {reason}");
    }
}
