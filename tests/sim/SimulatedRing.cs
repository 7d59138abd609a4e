using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation.Files;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Simulation;

/// <summary>
/// The simulated world of one seed: a clock, a network and an init ring of real <see cref="PeerNode"/>s,
/// joined later by newcomers with fresh ids and hosts, all driven from one thread by one seeded <see cref="Random"/>.
/// </summary>
public sealed class SimulatedRing
{
    private readonly SortedDictionary<ulong, SimulatedPeer> _peers = [];
    private readonly List<string> _problems = [];
    private readonly HashSet<ulong> _cutOff = [];
    private readonly TraceRecorder _trace;

    public SimulatedRing(SimulationSettings settings, int seed, TraceRecorder trace)
    {
        settings.Validate();
        Settings = settings;
        _trace = trace;
        Random = new Random(seed);
        Network = new InMemoryNetwork(Clock, Random, settings.UseCodec) { Conditions = settings.CalmNetwork };
        Environment = new PeerEnvironment(Network, Clock, onError => new SimulationScheduler(Clock, onError));
        Space = new IdSpace(settings.EffectiveIdBits);
        var ids = PickIds();
        for (var i = 0; i < ids.Length; i++)
        {
            _peers.Add(ids[i], new SimulatedPeer(OptionsFor(ids[i], i) with
            {
                FirstSuccessor = Locator(ids, (i + 1) % ids.Length),
                SecondSuccessor = Locator(ids, (i + 2) % ids.Length),
            }, NewDisk()));
        }
    }

    public SimulationSettings Settings { get; }

    public SimulatedTimeProvider Clock { get; } = new();

    public Random Random { get; }

    public InMemoryNetwork Network { get; }

    public PeerEnvironment Environment { get; }

    public IdSpace Space { get; }

    /// <summary>Every time a peer took back as a successor a peer it had declared dead that is still down.</summary>
    public DeadPeerReadoptions Readoptions { get; } = new();

    /// <summary>The files the schedule stored and fetched.</summary>
    public FileLedger Files { get; } = new();

    /// <summary>Every peer ever started (members, newcomers and the gone), in ring (id) order.</summary>
    public IReadOnlyCollection<SimulatedPeer> Peers => _peers.Values;

    /// <summary>Peers that left, were killed or gave up joining.</summary>
    public IEnumerable<ulong> Gone => _peers.Values.Where(p => p.IsGone).Select(p => p.Id);

    /// <summary>A newcomer is waiting for the verdict on its join.</summary>
    public bool IsJoinPending => _peers.Values.Any(p => p.IsJoinPending);

    public SimulatedPeer this[ulong id] => _peers[id];

    /// <summary>
    /// No loss, no partition, no crashed peer, no join or departure under way: the conditions under which learning must converge.
    /// A peer that is gone for good does not stop the calm once its process has ended.
    /// </summary>
    /// <summary>The ring has been calm for the settle time at the last check: the calm invariants hold, and every fetch must succeed.</summary>
    public bool Settled { get; internal set; }

    /// <summary>How many operations so far disturbed the ring (anything but waiting, storing and fetching): a fetch is calm only if none came while it ran.</summary>
    public int Disturbances { get; internal set; }

    public bool IsCalm => Network.Conditions.IsLossless && !Network.IsPartitioned && !IsJoinPending
        && _peers.Values.All(p => p.IsGone ? p.Stopping!.IsCompleted : p.IsUp);

    /// <summary>Starts every peer at its own random instant within one ping interval, as separate processes would.</summary>
    public void StartAll()
    {
        foreach (var peer in _peers.Values)
        {
            var offset = peer.Options.PingInterval * Random.NextDouble();
            Clock.CreateTimer(static state => ((Action)state!)(), (Action)(() => Start(peer)), offset, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Members the current partition cuts off from the rest; the fault budget counts them as down.</summary>
    public IReadOnlySet<ulong> CutOff => _cutOff;

    public void Partition(IReadOnlyCollection<ulong> island)
    {
        Network.Partition(island.Select(id => this[id].EndPoint));
        _cutOff.UnionWith(island);
    }

    public void HealPartitions()
    {
        if (_cutOff.Count > 0)
            LastHealed = Clock.Elapsed;
        Network.Heal();
        _cutOff.Clear();
    }

    /// <summary>When the last partition healed; null before any.</summary>
    public TimeSpan? LastHealed { get; private set; }

    /// <summary>The process of <paramref name="peer"/> dies: its host goes dark and its node stops without telling anyone.</summary>
    public void Crash(SimulatedPeer peer)
    {
        if (!peer.IsUp)
            throw new InvalidOperationException($"{peer} is not up.");
        Network.Crash(peer.EndPoint);
        peer.HeldWhenDown = KeptFilesOn(peer);
        peer.IsUp = false;
        peer.Stopping = peer.Node!.StopAsync();
        LoseDisk(peer);
    }

    /// <summary>
    /// The peer's process dies (a SIGKILL) but its host stays up: its port is closed, so a connection to it is refused at
    /// once and its datagrams land nowhere. The disk survives (another process of the host could read it).
    /// </summary>
    public void CrashProcess(SimulatedPeer peer)
    {
        if (!peer.IsUp)
            throw new InvalidOperationException($"{peer} is not up.");
        peer.IsUp = false;
        peer.Stopping = peer.Node!.StopAsync();
    }

    /// <summary>A crash for good: the peer never restarts.</summary>
    public void Kill(SimulatedPeer peer)
    {
        Crash(peer);
        peer.IsGone = true;
    }

    /// <summary>A member leaves gracefully (SPEC §5): it tells its predecessors, then stops; it never comes back.</summary>
    public void Leave(SimulatedPeer peer)
    {
        if (!peer.IsMember)
            throw new InvalidOperationException($"{peer} is not a member that could leave.");
        peer.HeldWhenDown = KeptFilesOn(peer);
        peer.IsUp = false;
        peer.IsGone = true;
        peer.Stopping = peer.Node!.DepartAsync();
    }

    /// <summary>The acknowledged files, not lost or removed, of which <paramref name="peer"/> holds the latest version.</summary>
    private string[] KeptFilesOn(SimulatedPeer peer) => [.. Files.Stored.Where(f => !f.IsLost && !f.Removed && Holds(peer, f)).Select(f => f.Name)];

    /// <summary>
    /// With copies: some file <paramref name="peer"/> held when it went down has fewer than r copies on live peers (all of
    /// them, in a ring smaller than r): its holders are still making them.
    /// </summary>
    public bool CopiesPending(SimulatedPeer peer)
    {
        if (Settings.ReplicationFactor <= 1 || peer.IsUp || peer.HeldWhenDown.Count == 0)
            return false;
        var live = _peers.Values.Where(p => p.IsUp).ToArray();
        var wanted = Math.Min(Settings.ReplicationFactor, live.Length);
        return peer.HeldWhenDown.Any(name => Files.Stored.FirstOrDefault(f => f.Name == name) is { IsLost: false, Removed: false } file
            && live.Count(p => Holds(p, file)) < wanted);
    }

    /// <summary>An id no peer of this run has had, so a newcomer is never mistaken for a member that is gone.</summary>
    public ulong FreshId()
    {
        if ((ulong)_peers.Count > Space.MaxId)
            throw new InvalidOperationException($"The {Space} has no id left for a newcomer.");
        ulong id;
        do
            id = Space.Reduce((ulong)Random.NextInt64());
        while (_peers.ContainsKey(id));
        return id;
    }

    /// <summary>
    /// A newcomer with <paramref name="id"/> starts on a host of its own and asks <paramref name="via"/> to let it in
    /// with the real join (SPEC §4). It does not wait: the verdict arrives as the clock runs.
    /// </summary>
    public SimulatedPeer Join(ulong id, SimulatedPeer via)
    {
        if (_peers.ContainsKey(id))
            throw new InvalidOperationException($"Peer id {id} has already been used in this run.");
        var newcomer = new SimulatedPeer(OptionsFor(id, _peers.Count), NewDisk());
        _peers.Add(id, newcomer);
        Start(newcomer);
        newcomer.Joining = newcomer.Node!.JoinAsync(new PeerLocator(via.Id, via.EndPoint), Settings.JoinTimeout);
        return newcomer;
    }

    /// <summary>A newcomer whose join failed (refused or timed out) gives up and stops instead of staying a ring of one.</summary>
    public void GiveUpFailedJoins()
    {
        foreach (var peer in _peers.Values.Where(p => p is { IsUp: true, Joining.IsFaulted: true }))
        {
            Record($"peer {peer.Id} gives up: {peer.Joining!.Exception!.GetBaseException().Message}");
            peer.IsUp = false;
            peer.IsGone = true;
            peer.Stopping = peer.Node!.StopAsync();
        }
    }

    /// <summary>
    /// A crashed peer comes back as a new process (same id and host, no memory) whose command line names the next two
    /// peers that are not gone, as an operator restarting it would: without churn these are its init successors.
    /// </summary>
    public void Restart(SimulatedPeer peer)
    {
        if (peer.IsUp || peer.IsGone || peer.Stopping is not { IsCompletedSuccessfully: true })
            throw new InvalidOperationException($"{peer} is not a crashed peer whose stop has completed.");
        var ring = _peers.Values.Where(p => p == peer || p is { IsGone: false, IsJoinPending: false }).ToList();
        var at = ring.IndexOf(peer);
        SimulatedPeer Next(int step) => ring[(at + step) % ring.Count];
        Network.Recover(peer.EndPoint);
        peer.Joining = null; // This incarnation starts from its command line: it joins nothing and takes nothing over.
        Start(peer, peer.Options with
        {
            FirstSuccessor = new PeerLocator(Next(1).Id, Next(1).EndPoint),
            SecondSuccessor = new PeerLocator(Next(2).Id, Next(2).EndPoint),
        });
    }

    public void Record(string operation) => _trace.Record(operation, Clock.Elapsed);

    /// <summary>Something the invariants cannot see went wrong (an operation's outcome, say): the next check fails with it.</summary>
    public void ReportProblem(string problem) => _problems.Add(problem);

    /// <summary>The ring members now (see <see cref="FileInvariant.Members"/>).</summary>
    public IReadOnlyList<ulong> Members() => FileInvariant.Members(LiveSnapshots());

    /// <summary>Snapshots of the live members, in id order (a newcomer counts once its join is accepted).</summary>
    public IReadOnlyList<DhtPeer> LiveSnapshots() =>
        _peers.Values.Where(p => p.IsMember).Select(p => p.Snapshot!).ToArray();

    /// <summary>Errors seen since the last call: internal errors, malformed or foreign input, failed stops.</summary>
    public IReadOnlyList<string> TakeProblems()
    {
        foreach (var peer in _peers.Values)
        {
            if (peer.Stopping is { IsFaulted: true } failed)
                _problems.Add($"{peer} failed to stop: {failed.Exception!.GetBaseException().Message}");
            if (peer is { IsUp: true, Snapshot.MalformedInputs: > 0 })
                _problems.Add($"{peer} counted {peer.Snapshot!.MalformedInputs} malformed inputs");
        }
        if (Clock.ForeignThreadWork is { } foreign)
            _problems.Add($"work was scheduled from another thread than the simulation's: {foreign}");
        var taken = _problems.ToArray();
        _problems.Clear();
        return taken;
    }

    private void Start(SimulatedPeer peer) => Start(peer, peer.Options);

    private void Start(SimulatedPeer peer, PeerOptions options)
    {
        // The in-memory bind completes synchronously, so this stays on the simulation thread.
        var node = PeerNode.BindAsync(options, Environment with { FileSystem = peer.Disk }).GetAwaiter().GetResult();
        node.EventRaised += (_, raised) => OnEvent(raised);
        peer.Node = node;
        peer.Starts++;
        peer.IsUp = true;
        peer.Stopping = null;
        node.Start();
    }

    /// <summary>
    /// A crashed host's disk is gone (there is no replication yet): the files only it held are lost,
    /// and the peer restarts on an empty disk.
    /// </summary>
    private void LoseDisk(SimulatedPeer crashed)
    {
        var others = _peers.Values.Where(p => p.IsUp).ToArray();
        Files.LoseOnlyCopies(
            crashedHolds: file => Holds(crashed, file),
            othersHold: file => others.Any(p => Holds(p, file)));
        crashed.Disk = NewDisk();
    }

    private static bool Holds(SimulatedPeer peer, TrackedFile file) =>
        peer.StoredContent(file.Name) is { } content && content.AsSpan().SequenceEqual(file.Content);

    private InMemoryFileSystem NewDisk() => new(Clock);

    /// <summary>Every event any peer raises, with the simulated time: for measurements that watch the peers (not the checks).</summary>
    public event Action<DhtEvent, TimeSpan>? Raised;

    private void OnEvent(DhtEvent raised)
    {
        _trace.Record(raised, Clock.Elapsed);
        Raised?.Invoke(raised, Clock.Elapsed);
        Readoptions.Observe(raised, Clock.Elapsed, id => _peers.TryGetValue(id, out var peer) ? (peer.IsUp, peer.Starts) : null);
        if (raised.Kind is DhtEventKind.InternalError or DhtEventKind.MalformedInput or DhtEventKind.RingMismatch)
            _problems.Add($"peer {raised.PeerId}: {raised.Kind}: {raised.Message}");
    }

    private ulong[] PickIds()
    {
        var ids = new SortedSet<ulong>();
        while (ids.Count < Settings.Peers)
            ids.Add(Space.Reduce((ulong)Random.NextInt64()));
        return ids.ToArray();
    }

    /// <summary>
    /// The options every simulated peer shares; each keeps its files in the same directory of its own host's disk.
    /// </summary>
    private PeerOptions OptionsFor(ulong id, int index) => new()
    {
        Id = id,
        IdBits = Space.Bits,
        Address = AddressOf(index),
        Port = PeerContact.DefaultBasePort,
        PingInterval = Settings.PingIntervalOf(index),
        MissedPingLimit = Settings.MissedPingLimit,
        IndirectProbes = Settings.IndirectProbes,
        RequestTimeout = Settings.RequestTimeout,
        MaintainFingers = Settings.MaintainFingers,
        Routing = Settings.Routing,
        SuccessorCount = Settings.SuccessorListLength,
        ReplicationFactor = Settings.ReplicationFactor,
        DataPath = SimulatedPeer.DataPath,
    };

    private static PeerLocator Locator(ulong[] ids, int index) =>
        new(ids[index], new IPEndPoint(IPAddress.Parse(AddressOf(index)), PeerContact.DefaultBasePort));

    /// <summary>Each peer gets its own host, so any number of peers fit and every one listens on the default port.</summary>
    private static string AddressOf(int index) => $"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}";
}
