using System.Management.Automation;
using System.Security;
using DhtPs.Core.Client;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Core.Protocol;
using DhtPs.Core.Protocol.Authentication;
using DhtPs.Core.Transport;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>What every DhtPs cmdlet shares: waiting on core tasks so Ctrl+C cancels, and error records.</summary>
public abstract class DhtCmdlet : PSCmdlet
{
    /// <summary>The queue of the operation this cmdlet is waiting on, if any.</summary>
    private PipelineQueue? _queue;

    /// <summary>
    /// Blocks the pipeline thread on a core task; Ctrl+C (StopProcessing) cancels the wait. Meanwhile what the local
    /// peers raise is written to Verbose (the ring's story: routes, hops, retries) and Debug (pings), and what workers
    /// <see cref="Post"/> runs here, on the pipeline thread.
    /// </summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> operation)
    {
        using var queue = new PipelineQueue();
        var previous = _queue;
        _queue = queue;
        using var trace = new PeerEventTrace(this, queue);
        try
        {
            return queue.RunUntil(operation(PipelineStopToken), PipelineStopToken);
        }
        finally
        {
            _queue = previous;
        }
    }

    /// <summary>
    /// Whether the engine writes this cmdlet's Verbose or Debug records, by its own rule: the common parameter when it
    /// is bound (-Verbose, -Verbose:$false), else the preference variable in force where the cmdlet was called (a
    /// caller's $VerbosePreference, or an advanced function's -Verbose, which sets it there). On the pipeline thread.
    /// </summary>
    internal bool Writes(string commonParameter, string preferenceVariable) =>
        MyInvocation.BoundParameters.TryGetValue(commonParameter, out var bound)
            ? LanguagePrimitives.IsTrue(bound)
            : LanguagePrimitives.TryConvertTo<ActionPreference>(GetVariableValue(preferenceVariable), out var preference)
                && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    /// <summary>From any thread, while <see cref="Await{T}"/> waits: runs <paramref name="write"/> on the pipeline thread (dropped after the wait).</summary>
    protected void Post(Action write) => _queue?.Post(write);

    protected void Await(Func<CancellationToken, Task> operation) =>
        Await(async token => { await operation(token).ConfigureAwait(false); return true; });

    protected ErrorRecord Error(Exception exception, string errorId, ErrorCategory category, object? target) =>
        new(exception, errorId, category, target);

    /// <summary>
    /// The preference variable that sets the port a bare id (<c>-Via 4</c>, <c>-KnownPeer 4</c>) means, base + id,
    /// and the port Start-DhtPeer listens on without -Port. Unset, the base is 12000, as in the original program.
    /// </summary>
    public const string DefaultBasePortVariable = "DhtPsDefaultBasePort";

    /// <summary>$DhtPsDefaultBasePort, or 12000; a value that is no port from 0 to 65535 stops the cmdlet with an error.</summary>
    protected int DefaultBasePort
    {
        get
        {
            var value = GetVariableValue(DefaultBasePortVariable);
            if (value is null)
                return PeerContact.DefaultBasePort;
            if (LanguagePrimitives.TryConvertTo<int>(value, out var port) && port is >= 0 and <= System.Net.IPEndPoint.MaxPort)
                return port;
            ThrowTerminatingError(Error(new ArgumentException($"${DefaultBasePortVariable} is {value}; it must be a port number from 0 to 65535."),
                "InvalidDhtPsDefaultBasePort", ErrorCategory.InvalidArgument, value));
            return 0;
        }
    }

    /// <summary>
    /// Where a peer address leads, looking host names up asynchronously (Ctrl+C cancels); bare ids take the
    /// session's base port. Null after writing an error record.
    /// </summary>
    protected PeerLocator? Resolve(PeerAddress address)
    {
        var basePort = DefaultBasePort;
        try
        {
            return Await(token => address.ResolveAsync(basePort, PeerContact.DefaultHost, token));
        }
        catch (PeerAddressException e)
        {
            WriteError(Error(e, "DhtPeerAddressUnresolved", ErrorCategory.ObjectNotFound, address));
            return null;
        }
    }

    /// <summary>
    /// Where a -Via enters the ring: a peer of this session when it names one (its id, or the endpoint it listens on),
    /// else the peer it names in a ring elsewhere, as a client (no local peer needed). Without -Via: the only peer of
    /// this session. Null after writing an error record. Any cmdlet that takes -Via uses this, so -Via means the same everywhere.
    /// </summary>
    /// <param name="codec">The ring's wire for a client entry (a ring secret's, or the open ring's by default).</param>
    protected IRingEntry? RingEntry(PeerAddress? via, int idBits = IdSpace.DefaultBits, WireCodec? codec = null)
    {
        if (via is null)
        {
            var peers = PeerRegistry.All.ToArray();
            if (peers.Length == 1)
                return new LocalRingEntry(peers[0].Peer);
            WriteError(Error(new InvalidOperationException(peers.Length == 0
                    ? "This session runs no peer; start one with Start-DhtPeer, or name a peer of a ring with -Via (id, host:port or id@host:port)."
                    : $"This session runs {peers.Length} peers ({string.Join(", ", peers.Select(p => p.Peer.Id))}); say which one with -Via."),
                peers.Length == 0 ? "DhtNoLocalPeer" : "DhtLocalPeerAmbiguous", ErrorCategory.InvalidArgument, null));
            return null;
        }
        if (via.IsBareId && PeerRegistry.TryGet(via.Id!.Value, out var named))
            return new LocalRingEntry(named.Peer);
        if (Resolve(via) is not { } located)
            return null;
        var local = PeerRegistry.All.FirstOrDefault(j => j.Peer.Contact.ToEndPoint().Equals(located.EndPoint));
        return local is not null ? new LocalRingEntry(local.Peer) : new DhtClient(located.EndPoint, idBits, located.Id, codec);
    }

    /// <summary>
    /// Joins a running lone peer to the ring <paramref name="knownPeer"/> belongs to (SPEC §4).
    /// Returns the peer's state once accepted; null after writing an error record.
    /// </summary>
    protected DhtPeer? JoinRing(PeerNode peer, PeerAddress knownPeer, double timeoutSeconds)
    {
        if (Resolve(knownPeer) is not { } locator)
            return null;
        try
        {
            WriteVerbose($"Peer {peer.Id} asks {locator} to let it join.");
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var joined = Await(token => peer.JoinAsync(locator, TimeSpan.FromSeconds(timeoutSeconds), token));
            WriteVerbose($"Peer {peer.Id} joined in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.000} s: successors {string.Join(", ", joined.Successors)}.");
            return joined;
        }
        catch (JoinException e)
        {
            var (errorId, category) = e.Failure switch
            {
                _ when IsAuthenticationFailure(e) => (AuthenticationFailedId, ErrorCategory.AuthenticationError),
                JoinFailure.IdTaken => ("DhtJoinIdTaken", ErrorCategory.ResourceExists),
                JoinFailure.IdOutOfRange => ("DhtJoinIdOutOfRange", ErrorCategory.InvalidArgument),
                JoinFailure.IdBitsMismatch => ("DhtJoinIdBitsMismatch", ErrorCategory.InvalidArgument),
                JoinFailure.Unreachable => ("DhtKnownPeerUnreachable", ErrorCategory.ConnectionError),
                JoinFailure.TimedOut => ("DhtJoinTimedOut", ErrorCategory.OperationTimeout),
                JoinFailure.AlreadyInRing => ("DhtPeerAlreadyInRing", ErrorCategory.InvalidOperation),
                _ => ("DhtJoinRefused", ErrorCategory.InvalidOperation),
            };
            WriteError(Error(e, errorId, category, peer.Id));
            return null;
        }
    }

    /// <summary>
    /// The peers of the given jobs (Get-Job output), writing an error for any job that is not a running DhtPs peer.
    /// A -Job parameter exists so that piping Get-Job never binds a job's number to -Id.
    /// </summary>
    /// <summary>The peers of this session with these ids; a DhtPeerNotFound error for each id it does not run.</summary>
    protected IEnumerable<DhtPeerJob> RunningPeerJobs(IEnumerable<ulong> ids)
    {
        foreach (var id in ids)
        {
            if (PeerRegistry.TryGet(id, out var job))
                yield return job;
            else
                WriteError(GetDhtPeerCommand.PeerNotFound(id));
        }
    }

    protected IEnumerable<DhtPeerJob> RunningPeerJobs(IEnumerable<Job> jobs)
    {
        foreach (var job in jobs)
        {
            if (job is DhtPeerJob peerJob && PeerRegistry.TryGet(peerJob.Peer.Id, out var running) && ReferenceEquals(running, peerJob))
                yield return peerJob;
            else if (job is DhtPeerJob stopped)
                WriteError(GetDhtPeerCommand.PeerNotFound(stopped.Peer.Id));
            else
                WriteError(Error(new ArgumentException($"Job {job.Id} ({job.Name}) is a {job.PSJobTypeName}, not a DhtPs peer."),
                    "NotADhtPeerJob", ErrorCategory.InvalidArgument, job));
        }
    }

    /// <summary>
    /// The ring secret from -Secret or -SecretFile (null for the open ring); false after writing an
    /// InvalidDhtRingSecret error record (both given, too short, unreadable).
    /// </summary>
    protected bool TryReadRingSecret(SecureString? secret, string? secretFile, object? target, out RingSecret? ringSecret)
    {
        ringSecret = null;
        try
        {
            if (secret is not null && secretFile is not null)
                throw new ArgumentException("Give the ring secret once: -Secret or -SecretFile, not both.");
            if (secret is not null)
                ringSecret = RingSecret.FromSecureString(secret);
            else if (secretFile is not null)
                ringSecret = RingSecret.FromFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(secretFile));
            return true;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            WriteError(Error(e, "InvalidDhtRingSecret", ErrorCategory.InvalidArgument, secretFile ?? target));
            return false;
        }
    }

    /// <summary>The error id of every failure that comes from another ring secret (or none) on the other side.</summary>
    protected const string AuthenticationFailedId = "DhtAuthenticationFailed";

    /// <summary>True when <paramref name="exception"/> or one it wraps is a refused authentication, not an unreachable peer.</summary>
    protected static bool IsAuthenticationFailure(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is DhtAuthenticationException)
                return true;
        }
        return false;
    }

    /// <summary>The category a core failure belongs to, for errors that have no more specific one.</summary>
    protected static ErrorCategory CategoryOf(Exception exception) => exception switch
    {
        DhtAuthenticationException => ErrorCategory.AuthenticationError,
        TransportException => ErrorCategory.ConnectionError,
        ProtocolException => ErrorCategory.InvalidData,
        ArgumentException => ErrorCategory.InvalidArgument,
        FormatException => ErrorCategory.InvalidArgument,
        TimeoutException => ErrorCategory.OperationTimeout,
        System.Net.Sockets.SocketException => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.NotSpecified,
    };
}
