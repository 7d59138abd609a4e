using System.Net;
using DhtPs.Core.Peer;

namespace DhtPs.Simulation;

/// <summary>
/// One member of a simulated ring across its incarnations: a crash ends one <see cref="PeerNode"/>, a restart starts the next.
/// A newcomer is a member once its join is accepted; a member that left or was killed is gone for good.
/// </summary>
public sealed class SimulatedPeer(PeerOptions options, InMemoryFileSystem disk)
{
    /// <summary>Where every simulated peer keeps its store, on its own host's disk.</summary>
    public const string DataPath = "/dht/data";

    private const string Outbox = "/dht/outbox";
    private const string Inbox = "/dht/inbox";

    public ulong Id => Options.Id;

    public PeerOptions Options { get; } = options;

    public IPEndPoint EndPoint { get; } = new(IPAddress.Parse(options.Address), options.Port!.Value);

    /// <summary>The current incarnation; null before the first start.</summary>
    public PeerNode? Node { get; internal set; }

    /// <summary>How many times it has been started: its incarnation, as issue 13 will number it (a restart makes a new one).</summary>
    public int Starts { get; internal set; }

    /// <summary>Started and not crashed, left or killed: its process runs.</summary>
    public bool IsUp { get; internal set; }

    /// <summary>The join of a newcomer's current incarnation; null for a member of the init ring and after a restart.</summary>
    public Task<DhtPeer>? Joining { get; internal set; }

    /// <summary>Left, killed, or gave up after a failed join: it never comes back, and a calm ring must have forgotten it.</summary>
    public bool IsGone { get; internal set; }

    /// <summary>Up and in the ring (an init member, or a newcomer whose join was accepted): the invariants are about these.</summary>
    public bool IsMember => IsUp && Joining is null or { IsCompletedSuccessfully: true };

    /// <summary>A newcomer still waiting for the verdict on its join.</summary>
    public bool IsJoinPending => IsUp && Joining is { IsCompleted: false };

    /// <summary>The stop of the last incarnation (crash, kill, departure or a given-up join); a restart waits for it.</summary>
    public Task? Stopping { get; internal set; }

    public DhtPeer? Snapshot => Node?.Snapshot;

    /// <summary>
    /// The files this peer held when it last went down (crashed or left): until each has r live copies again, the fault
    /// budget counts this peer as down next to its neighbours (<see cref="Schedules.FaultBudget"/>).
    /// </summary>
    public IReadOnlyList<string> HeldWhenDown { get; internal set; } = [];

    /// <summary>The host's disk; a crash loses it, and the restarted peer starts on an empty one.</summary>
    public InMemoryFileSystem Disk { get; internal set; } = disk;

    /// <summary>The content of a file in this peer's store; null when it holds none.</summary>
    public byte[]? StoredContent(string name) => Disk.ReadAllBytes(Path.Combine(Path.GetFullPath(DataPath), name));

    /// <summary>Where a store from this peer reads the local file.</summary>
    public static string SourcePath(string name) => Path.GetFullPath(Path.Combine(Outbox, name));

    /// <summary>Where this peer's fetch number <paramref name="fetch"/> writes the file.</summary>
    public static string DestinationPath(int fetch, string name) => Path.GetFullPath(Path.Combine(Inbox, $"{fetch}-{name}"));

    public override string ToString() => $"peer {Id}";
}
