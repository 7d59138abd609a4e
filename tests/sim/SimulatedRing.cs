using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation.Files;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Simulation;

/// <summary>
/// The simulated world of one seed: a clock, a network and an init ring of real <see cref="PeerNode"/>s,
/// all driven from one thread by one seeded <see cref="Random"/>.
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
            _peers.Add(ids[i], new SimulatedPeer(new PeerOptions
            {
                Id = ids[i],
                IdBits = Space.Bits,
                Address = AddressOf(i),
                Port = PeerContact.DefaultBasePort,
                FirstSuccessor = Locator(ids, (i + 1) % ids.Length),
                SecondSuccessor = Locator(ids, (i + 2) % ids.Length),
                PingInterval = settings.PingInterval,
                MissedPingLimit = settings.MissedPingLimit,
                MaintainFingers = settings.MaintainFingers,
                DataPath = SimulatedPeer.DataPath,
            }, NewDisk()));
        }
    }

    public SimulationSettings Settings { get; }

    public SimulatedTimeProvider Clock { get; } = new();

    public Random Random { get; }

    public InMemoryNetwork Network { get; }

    public PeerEnvironment Environment { get; }

    public IdSpace Space { get; }

    /// <summary>The files the schedule stored and fetched.</summary>
    public FileLedger Files { get; } = new();

    /// <summary>Every member, in ring (id) order.</summary>
    public IReadOnlyCollection<SimulatedPeer> Peers => _peers.Values;

    public SimulatedPeer this[ulong id] => _peers[id];

    /// <summary>No loss, no partition and no crashed peer: the conditions under which learning must converge.</summary>
    public bool IsCalm => Network.Conditions.IsLossless && !Network.IsPartitioned && _peers.Values.All(p => p.IsUp);

    /// <summary>Starts every peer at its own random instant within one ping interval, as separate processes would.</summary>
    public void StartAll()
    {
        foreach (var peer in _peers.Values)
        {
            var offset = Settings.PingInterval * Random.NextDouble();
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
        Network.Heal();
        _cutOff.Clear();
    }

    /// <summary>The process of <paramref name="peer"/> dies: its host goes dark and its node stops without telling anyone.</summary>
    public void Crash(SimulatedPeer peer)
    {
        if (!peer.IsUp)
            throw new InvalidOperationException($"{peer} is not up.");
        Network.Crash(peer.EndPoint);
        peer.IsUp = false;
        peer.Stopping = peer.Node!.StopAsync();
        LoseDisk(peer);
    }

    /// <summary>A crashed peer comes back as a new process with its original init options.</summary>
    public void Restart(SimulatedPeer peer)
    {
        if (peer.IsUp || peer.Stopping is not { IsCompletedSuccessfully: true })
            throw new InvalidOperationException($"{peer} is not a crashed peer whose stop has completed.");
        Network.Recover(peer.EndPoint);
        Start(peer);
    }

    public void Record(string operation) => _trace.Record(operation, Clock.Elapsed);

    /// <summary>Something the invariants cannot see went wrong (an operation's outcome, say): the next check fails with it.</summary>
    public void ReportProblem(string problem) => _problems.Add(problem);

    /// <summary>The ring members now (see <see cref="FileInvariant.Members"/>).</summary>
    public IReadOnlyList<ulong> Members() => FileInvariant.Members(LiveSnapshots());

    /// <summary>Snapshots of the live members, in id order.</summary>
    public IReadOnlyList<DhtPeer> LiveSnapshots() =>
        _peers.Values.Where(p => p.IsUp).Select(p => p.Snapshot!).ToArray();

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

    private void Start(SimulatedPeer peer)
    {
        // The in-memory bind completes synchronously, so this stays on the simulation thread.
        var node = PeerNode.BindAsync(peer.Options, Environment with { FileSystem = peer.Disk }).GetAwaiter().GetResult();
        node.EventRaised += (_, raised) => OnEvent(raised);
        peer.Node = node;
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

    private void OnEvent(DhtEvent raised)
    {
        _trace.Record(raised, Clock.Elapsed);
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

    private static PeerLocator Locator(ulong[] ids, int index) =>
        new(ids[index], new IPEndPoint(IPAddress.Parse(AddressOf(index)), PeerContact.DefaultBasePort));

    /// <summary>Each peer gets its own host, so any number of peers fit and every one listens on the default port.</summary>
    private static string AddressOf(int index) => $"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}";
}
