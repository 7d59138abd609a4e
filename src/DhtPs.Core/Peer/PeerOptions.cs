using System.Net;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport.Faults;

namespace DhtPs.Core.Peer;

/// <summary>How to start a peer. Defaults follow the original program.</summary>
public sealed record PeerOptions
{
    public required ulong Id { get; init; }
    public int IdBits { get; init; } = IdSpace.DefaultBits;

    /// <summary>The address the sockets bind: one interface's IPv4 or IPv6 address, or 0.0.0.0 / :: for all of them.</summary>
    public string Address { get; init; } = PeerContact.DefaultHost;

    /// <summary>The address other peers dial, as this peer names itself to them. Null means <see cref="Address"/>, which must then not be a wildcard.</summary>
    public string? AdvertiseAddress { get; init; }

    /// <summary>The host of this peer's contact: the advertised address, else the bound one.</summary>
    public string ContactAddress => AdvertiseAddress ?? Address;

    /// <summary>Null means 12000 + id; 0 picks a free port.</summary>
    public int? Port { get; init; }

    public PeerLocator? FirstSuccessor { get; init; }
    public PeerLocator? SecondSuccessor { get; init; }
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Ping rounds on the interval's grid of the clock (<see cref="PingClock"/>: the first at once, each later one at
    /// the next multiple of the interval) instead of every interval from the peer's start, so the peers of one process
    /// run their rounds together and the thread pool wakes once per round for all of them (issue 12). Start-DhtPeer
    /// sets it; the default keeps each peer's own phase.
    /// </summary>
    public bool AlignPingRounds { get; init; }

    /// <summary>Consecutive unanswered pings after which a successor is declared dead.</summary>
    public int MissedPingLimit { get; init; } = 3;

    /// <summary>
    /// How many other peers ping a suspect for this one before it is asked over TCP (SWIM's indirect probes,
    /// docs/protocol.md 3.5): its live predecessors and fingers first. 0 turns them off.
    /// </summary>
    public int IndirectProbes { get; init; } = DefaultIndirectProbes;

    public const int DefaultIndirectProbes = 3;

    /// <summary>The most helpers one suspect is probed through.</summary>
    public const int MaxIndirectProbes = 16;

    /// <summary>How long a reliable request may take before the peer gives up on it.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a file transfer may go without a byte moving before it is given up (both ends).</summary>
    public TimeSpan TransferIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest file this peer receives, in bytes (stores, hand-offs, take-overs and its own fetches).
    /// Longer files are refused before a byte is written, as are files longer than the free space on the receiving drive.
    /// </summary>
    public long MaxFileSize { get; init; } = DefaultMaxFileSize;

    /// <summary>4 GiB: four times the largest transfer benchmarked (docs/benchmarks.md), yet no single upload can fill a typical disk.</summary>
    public const long DefaultMaxFileSize = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// At most this many bytes of uploads not yet complete (or abandoned, until they go stale after a day) are held in
    /// the data path at once; an upload that would pass it is refused, so abandoned uploads cannot fill the disk.
    /// </summary>
    public long MaxPartialSize { get; init; } = DefaultMaxPartialSize;

    public const long DefaultMaxPartialSize = 2 * DefaultMaxFileSize;

    /// <summary>
    /// Files up to this length are delivered and uploaded (stores, copies, hand-offs) inside one message on the peers' kept
    /// connection instead of on a stream of their own (a connection less, two round trips less); at most
    /// <see cref="Protocol.FileContent.MaxLength"/>, 0 for never.
    /// </summary>
    public int InlineFileSize { get; init; } = DefaultInlineFileSize;

    public const int DefaultInlineFileSize = 32 * 1024;

    /// <summary>
    /// At most this many bytes in the data path, stored files and uploads not yet complete together (issue 17's
    /// per-peer quota); an upload that would pass it is refused with NoSpace. Null: only the drive's free space bounds it.
    /// </summary>
    public long? MaxStorage { get; init; }

    /// <summary>How lookups, stores, file requests and joins are routed; fingers by default.</summary>
    public RoutingMode Routing { get; init; } = RoutingMode.Fingers;

    /// <summary>
    /// How many successors a peer keeps, pings and hands on (the original kept 2). At most <see cref="SuccessorList.MaxLength"/>.
    /// A peer keeps at least <see cref="ReplicationFactor"/> + 1 (<see cref="WithReplicaSuccessors"/>), so the ring still
    /// closes when r - 1 adjacent peers die at once.
    /// </summary>
    public int SuccessorCount { get; init; } = SuccessorList.DefaultLength;

    /// <summary>How many peers hold each file: the owner of its key and the owner's next r - 1 successors. 1 is the original single copy.</summary>
    public int ReplicationFactor { get; init; } = DefaultReplicationFactor;

    public const int DefaultReplicationFactor = 3;

    /// <summary>
    /// How many of the file's holders (the owner counts) must hold a stored file durably before the store is acknowledged.
    /// Null means a majority of <see cref="ReplicationFactor"/>. A ring with fewer peers than that needs as many as it has.
    /// </summary>
    public int? WriteQuorum { get; init; }

    /// <summary>
    /// How long the tombstone of a removed file is kept (by its owner and holders) so that no stale copy brings it back:
    /// longer than any peer is expected to be away and come back with its old files. A day by default.
    /// </summary>
    public TimeSpan TombstoneLifetime { get; init; } = DefaultTombstoneLifetime;

    public static readonly TimeSpan DefaultTombstoneLifetime = TimeSpan.FromDays(1);

    /// <summary><see cref="WriteQuorum"/>, or a majority of <see cref="ReplicationFactor"/>.</summary>
    public int EffectiveWriteQuorum => WriteQuorum ?? ReplicationFactor / 2 + 1;

    /// <summary>These options with a successor list of at least <see cref="ReplicationFactor"/> + 1 peers.</summary>
    public PeerOptions WithReplicaSuccessors() =>
        SuccessorCount >= ReplicationFactor + 1 ? this : this with { SuccessorCount = ReplicationFactor + 1 };

    /// <summary>
    /// Keep the finger table fresh (one lookup per ping interval at most) so lookups take O(log N) hops.
    /// Without it lookups still succeed, walking the successor list.
    /// </summary>
    public bool MaintainFingers { get; init; } = true;

    /// <summary>
    /// The directory that holds the files this peer stores. Null means a per-peer folder under the user's local
    /// application data: DhtPs/peer-(id)-(port). Created on first use.
    /// </summary>
    public string? DataPath { get; init; }

    /// <summary>
    /// Faults injected into this peer's own sockets, for tests (lost and late datagrams, lost and late connects);
    /// null, the default, injects none and leaves the transport unwrapped.
    /// </summary>
    public FaultInjection? Faults { get; init; }

    /// <summary>The default <see cref="DataPath"/> of a peer with this id listening on this port.</summary>
    public static string DefaultDataPath(ulong id, int port) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "DhtPs", $"peer-{id}-{port}");

    public void Validate()
    {
        var space = new IdSpace(IdBits);
        if (!IPAddress.TryParse(Address, out var bound))
            throw new ArgumentException($"Address '{Address}' is not an IP address (e.g. 127.0.0.1, 10.0.0.2, ::1, or 0.0.0.0 for every interface).", nameof(Address));
        var wildcard = bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any);
        if (AdvertiseAddress is null && wildcard)
            throw new ArgumentException($"Address {Address} binds every interface, so it is no address another peer can dial; name that one with AdvertiseAddress.", nameof(AdvertiseAddress));
        if (!wildcard && PeerContact.NotUnicast(bound) is { } boundWhy)
            throw new ArgumentException($"Address {Address} is {boundWhy}; bind one of this host's unicast addresses (e.g. 127.0.0.1 or 10.0.0.2), or every interface (0.0.0.0 or ::) with an AdvertiseAddress.", nameof(Address));
        if (AdvertiseAddress is not null && (!IPAddress.TryParse(AdvertiseAddress, out var advertised) || PeerContact.NotUnicast(advertised) is not null))
            throw new ArgumentException($"AdvertiseAddress '{AdvertiseAddress}' is not a unicast IP address other peers can dial.", nameof(AdvertiseAddress));
        if (AdvertiseAddress is not null && IPAddress.Parse(AdvertiseAddress).AddressFamily != bound.AddressFamily && !bound.Equals(IPAddress.IPv6Any))
            throw new ArgumentException($"AdvertiseAddress {AdvertiseAddress} is of another address family than the bound {Address}.", nameof(AdvertiseAddress));
        if (!space.Contains(Id))
            throw new ArgumentOutOfRangeException(nameof(Id), Id, $"Peer id {Id} is outside the {space} (0..{space.MaxId}).");
        if (Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be between 0 and 65535.");
        if (Port is null && Id > 65535 - PeerContact.DefaultBasePort)
            throw new ArgumentOutOfRangeException(nameof(Port), $"Peer id {Id} has no default port (12000 + id); give a port.");
        if (PingInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(PingInterval), PingInterval, "Ping interval must be positive.");
        if (MissedPingLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(MissedPingLimit), MissedPingLimit, "Missed ping limit must be at least 1.");
        if (IndirectProbes is < 0 or > MaxIndirectProbes)
            throw new ArgumentOutOfRangeException(nameof(IndirectProbes), IndirectProbes, $"Indirect probes must be between 0 and {MaxIndirectProbes}.");
        if (TransferIdleTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TransferIdleTimeout), TransferIdleTimeout, "Transfer idle timeout must be positive.");
        if (MaxPartialSize < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxPartialSize), MaxPartialSize, "The bound on partial uploads cannot be negative.");
        if (InlineFileSize is < 0 or > Protocol.FileContent.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(InlineFileSize), InlineFileSize, $"Files sent inline must be between 0 and {Protocol.FileContent.MaxLength} bytes.");
        if (MaxStorage < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxStorage), MaxStorage, "The storage quota cannot be negative.");
        if (MaxFileSize < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxFileSize), MaxFileSize, "Maximum file length cannot be negative.");
        if (!Enum.IsDefined(Routing))
            throw new ArgumentOutOfRangeException(nameof(Routing), Routing, "Routing must be Fingers or Successor.");
        if (ReplicationFactor is < 1 || ReplicationFactor >= SuccessorList.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(ReplicationFactor), ReplicationFactor, $"Replication factor must be between 1 and {SuccessorList.MaxLength - 1}.");
        if (WriteQuorum is { } quorum && (quorum < 1 || quorum > ReplicationFactor))
            throw new ArgumentOutOfRangeException(nameof(WriteQuorum), quorum, $"Write quorum must be between 1 and the replication factor ({ReplicationFactor}).");
        if (SuccessorCount is < 1 or > SuccessorList.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(SuccessorCount), SuccessorCount, $"Successor count must be between 1 and {SuccessorList.MaxLength}.");
        Faults?.Validate();
        if (SecondSuccessor is not null && FirstSuccessor is null)
            throw new ArgumentException("A second successor needs a first successor.", nameof(SecondSuccessor));
        foreach (var successor in new[] { FirstSuccessor, SecondSuccessor })
        {
            if (successor is { Id: null })
                throw new ArgumentException($"Successor {successor} must name its peer id (id or id@host:port).");
            if (successor?.Id is { } id && !space.Contains(id))
                throw new ArgumentOutOfRangeException(nameof(FirstSuccessor), id, $"Successor id {id} is outside the {space}.");
        }
    }
}
