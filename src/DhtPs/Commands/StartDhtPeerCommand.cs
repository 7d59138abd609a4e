using System.Management.Automation;
using System.Net;
using DhtPs.Completion;
using System.Net.Sockets;
using System.Security;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol.Authentication;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport.Faults;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>
/// Starts a peer in the background of this session; it runs until stopped. "Init" gives it its successors
/// (none: a ring of one that others can join); "Join" joins the ring a known peer belongs to.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "DhtPeer", DefaultParameterSetName = InitSet)]
[OutputType(typeof(DhtPeer))]
public sealed class StartDhtPeerCommand : DhtCmdlet
{
    private const string InitSet = "Init";
    private const string JoinSet = "Join";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public ulong Id { get; set; }

    /// <summary>An id (127.0.0.1, port $DhtPsDefaultBasePort + id) or id@host:port; the host may be a name.</summary>
    [Parameter(Position = 1, ParameterSetName = InitSet)]
    public PeerAddress? FirstSuccessor { get; set; }

    [Parameter(Position = 2, ParameterSetName = InitSet)]
    public PeerAddress? SecondSuccessor { get; set; }

    /// <summary>A peer of the ring to join: an id (127.0.0.1, port $DhtPsDefaultBasePort + id), host:port or id@host:port; the host may be a name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JoinSet)]
    [ArgumentCompleter(typeof(PeerLocatorCompleter))]
    public PeerAddress KnownPeer { get; set; } = null!;

    /// <summary>Seconds to wait for the join to be accepted.</summary>
    [Parameter(ParameterSetName = JoinSet)]
    [ValidateRange(0.1, 3600)]
    public double JoinTimeout { get; set; } = 30;

    /// <summary>Seconds between pings.</summary>
    [Parameter(Position = 3)]
    [ValidateRange(0.05, 86400)]
    public double PingInterval { get; set; } = 30;

    /// <summary>The address to listen on (IPv4 or IPv6); 0.0.0.0 or :: listens on every interface and needs -AdvertiseAddress.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = PeerContact.DefaultHost;

    /// <summary>The address other peers dial to reach this one. Default: -Address.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AdvertiseAddress { get; set; }

    /// <summary>Default $DhtPsDefaultBasePort (12000 unless set) + Id; 0 picks a free port.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = -1;

    [Parameter]
    [ValidateRange(1, IdSpace.MaxBits)]
    public int IdBits { get; set; } = IdSpace.DefaultBits;

    [Parameter]
    [ValidateRange(1, 100)]
    public int MissedPingLimit { get; set; } = 3;

    /// <summary>How many other peers ping a suspect for this one before it is asked over TCP (SWIM's indirect probes); 0 turns them off.</summary>
    [Parameter]
    [ValidateRange(0, PeerOptions.MaxIndirectProbes)]
    public int IndirectProbes { get; set; } = PeerOptions.DefaultIndirectProbes;

    /// <summary>The directory that keeps the files this peer stores. Default: DhtPs/peer-(id)-(port) under the user's local application data.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DataPath { get; set; }

    /// <summary>The longest file this peer receives, in bytes.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxFileSize { get; set; } = PeerOptions.DefaultMaxFileSize;

    /// <summary>At most this many bytes of uploads not yet complete (or abandoned) are held in the data path at once.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxPartialSize { get; set; } = PeerOptions.DefaultMaxPartialSize;

    /// <summary>Files up to this many bytes are delivered and uploaded inside one message on a kept connection, not on a stream of their own; 0 for never.</summary>
    [Parameter]
    [ValidateRange(0, Core.Protocol.FileContent.MaxLength)]
    public int InlineFileSize { get; set; } = PeerOptions.DefaultInlineFileSize;

    /// <summary>At most this many bytes in the data path, stored files and uploads not yet complete together; unbounded (but for the drive) by default.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxStorage { get; set; }

    /// <summary>Fingers (O(log N) hops, the default) or Successor (the original route, first successor after first successor).</summary>
    [Parameter]
    public RoutingMode Routing { get; set; } = RoutingMode.Fingers;

    /// <summary>How many successors the peer keeps and pings; the original kept 2.</summary>
    [Parameter]
    [ValidateRange(1, SuccessorList.MaxLength)]
    public int SuccessorCount { get; set; } = SuccessorList.DefaultLength;

    /// <summary>How many peers hold each file: the owner and its next r - 1 successors; 1 is the original single copy.</summary>
    [Parameter]
    [ValidateRange(1, SuccessorList.MaxLength - 1)]
    public int ReplicationFactor { get; set; } = PeerOptions.DefaultReplicationFactor;

    /// <summary>How many holders must have a stored file durably before the store is acknowledged; a majority of -ReplicationFactor by default.</summary>
    [Parameter]
    [ValidateRange(1, SuccessorList.MaxLength - 1)]
    public int WriteQuorum { get; set; }

    /// <summary>Seconds a removed file's tombstone is kept (so that no stale copy brings the file back); a day by default.</summary>
    [Parameter]
    [ValidateRange(1, 366 * 86400)]
    public double TombstoneLifetime { get; set; } = PeerOptions.DefaultTombstoneLifetime.TotalSeconds;

    /// <summary>The ring secret: every datagram and connection is authenticated with keys derived from it.</summary>
    [Parameter]
    [ValidateNotNull]
    public SecureString? Secret { get; set; }

    /// <summary>A file holding the ring secret (its bytes, without a final line break).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SecretFile { get; set; }

    /// <summary>
    /// For tests: faults injected into this peer's own sockets (a fraction of datagrams and connects lost or late,
    /// reproducible with a seed). Off by default, and left out of the syntax and of the parameters tab completion offers: no ring needs it.
    /// </summary>
    [Parameter(DontShow = true)]
    [ValidateNotNull]
    [FaultInjectionTransformation]
    public FaultInjection? FaultInjection { get; set; }

    /// <summary>
    /// Run as a service: block until the peer stops, writing its events (pings left out) as timestamped lines.
    /// SIGTERM, SIGINT and Ctrl+C make it depart gracefully (within -DepartTimeout), and the command then ends normally.
    /// </summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>
    /// Seconds a graceful departure may take (its files handed on, its predecessors told) before the peer stops
    /// abruptly: for Stop-DhtPeer, Stop-Job, SIGTERM, Remove-Module and the session's exit alike.
    /// </summary>
    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double DepartTimeout { get; set; } = 10;

    protected override void ProcessRecord()
    {
        if (PeerRegistry.TryGet(Id, out _))
        {
            WriteError(Error(new InvalidOperationException($"Peer {Id} is already running in this process."),
                "DhtPeerAlreadyRunning", ErrorCategory.ResourceExists, Id));
            return;
        }

        var successors = new PeerLocator?[2];
        foreach (var (successor, index, parameter) in new[] { (FirstSuccessor, 0, nameof(FirstSuccessor)), (SecondSuccessor, 1, nameof(SecondSuccessor)) })
        {
            if (successor is { Id: null })
            {
                WriteError(Error(new ArgumentException($"-{parameter} '{successor}' is not a successor: name it as an id (127.0.0.1:{DefaultBasePort}+id) or id@host:port."),
                    "InvalidDhtPeerOptions", ErrorCategory.InvalidArgument, Id));
                return;
            }
            if (successor is not null && (successors[index] = Resolve(successor)) is null)
                return;
        }

        PeerOptions options;
        try
        {
            options = new PeerOptions
            {
                Id = Id,
                IdBits = IdBits,
                Address = Address,
                AdvertiseAddress = AdvertiseAddress,
                Port = Port >= 0 ? Port : DefaultBasePort == PeerContact.DefaultBasePort ? null : checked(DefaultBasePort + (int)Id),
                FirstSuccessor = successors[0],
                SecondSuccessor = successors[1],
                PingInterval = TimeSpan.FromSeconds(PingInterval),
                // A session often runs many peers (a test ring, Measure-DhtScale): their rounds fall together.
                AlignPingRounds = true,
                MissedPingLimit = MissedPingLimit,
                IndirectProbes = IndirectProbes,
                DataPath = DataPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(DataPath),
                MaxFileSize = MaxFileSize,
                MaxPartialSize = MaxPartialSize,
                InlineFileSize = InlineFileSize,
                MaxStorage = MyInvocation.BoundParameters.ContainsKey(nameof(MaxStorage)) ? MaxStorage : null,
                Routing = Routing,
                SuccessorCount = SuccessorCount,
                ReplicationFactor = ReplicationFactor,
                WriteQuorum = MyInvocation.BoundParameters.ContainsKey(nameof(WriteQuorum)) ? WriteQuorum : null,
                TombstoneLifetime = TimeSpan.FromSeconds(TombstoneLifetime),
                Faults = FaultInjection,
            };
            options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            WriteError(Error(e, "InvalidDhtPeerOptions", ErrorCategory.InvalidArgument, Id));
            return;
        }

        if (!TryReadRingSecret(Secret, SecretFile, Id, out var secret))
            return;
        var environment = secret is null ? PeerEnvironment.Real : PeerEnvironment.Real with { Codec = new AuthenticatedWireCodec(secret) };
        if (secret is null && !IPAddress.IsLoopback(IPAddress.Parse(options.Address)))
            WriteWarning($"Peer {Id} listens on {options.Address} without a ring secret: anyone who can reach that address can join, store, " +
                "fetch and steer the ring. Give -Secret or -SecretFile to every peer of the ring.");

        PeerNode peer;
        try
        {
            peer = Await(token => PeerNode.BindAsync(options, environment, token));
        }
        catch (SocketException e)
        {
            WriteError(Error(new InvalidOperationException($"Peer {Id} cannot listen on {Address}:{options.Port ?? PeerContact.ForId(Id).Port}: {e.Message}", e),
                "DhtPeerCannotListen", ErrorCategory.ResourceUnavailable, Id));
            return;
        }

        WriteVerbose($"Peer {Id} listens on {peer.Contact.EndPoint}; its files go to {peer.DataPath}.");
        var job = new DhtPeerJob(peer, MyInvocation.Line, TimeSpan.FromSeconds(DepartTimeout));
        if (!PeerRegistry.TryAdd(job))
        {
            Await(_ => peer.StopAsync());
            WriteError(Error(new InvalidOperationException($"Peer {Id} is already running in this process."),
                "DhtPeerAlreadyRunning", ErrorCategory.ResourceExists, Id));
            return;
        }
        PeerRegistry.RemoveWhenStopped(job);
        PeerRegistry.List(job, JobRepository);
        using var service = Wait ? new PeerService(job) : null;
        // Started only now that the job listens, so Receive-Job shows the "listening on" event too.
        try
        {
            Await(token => StartBound(peer, token));
        }
        catch
        {
            StopAndUnlist(job);
            throw;
        }
        if (ParameterSetName == JoinSet)
        {
            if (WriteJoinedOrStop(job) is { } joined && service is null)
                WriteObject(joined);
        }
        else if (service is null)
            WriteObject(peer.Snapshot);
        if (service is not null && !peer.Completion.IsCompleted)
        {
            service.Run(WriteLine, PipelineStopToken);
            service.EndProcessIfSignalled();
        }
    }

    /// <summary>
    /// A service's line goes down the pipeline; once Ctrl+C (SIGINT) has stopped the pipeline, straight to standard
    /// output, so the departure's lines are still seen.
    /// </summary>
    private void WriteLine(string line)
    {
        if (!Stopping)
        {
            try
            {
                WriteObject(line);
                return;
            }
            catch (PipelineStoppedException)
            {
            }
        }
        Console.Out.WriteLine(line);
    }

    private static Task StartBound(PeerNode peer, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.Start(started.SetResult);
        return started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// A peer that fails to join is stopped again and its job taken out of Get-Job: the join form promises a member
    /// of the ring or nothing (the error record says why).
    /// </summary>
    private DhtPeer? WriteJoinedOrStop(DhtPeerJob job)
    {
        DhtPeer? joined = null;
        try
        {
            joined = JoinRing(job.Peer, KnownPeer, JoinTimeout);
        }
        finally
        {
            if (joined is null)
                StopAndUnlist(job);
        }
        return joined;
    }

    private static void StopAndUnlist(DhtPeerJob job)
    {
        PeerRegistry.StopAsync(job, abrupt: true).GetAwaiter().GetResult();
        PeerRegistry.Unlist(job);
    }
}
