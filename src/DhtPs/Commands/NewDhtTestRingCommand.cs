using System.Collections;
using System.Management.Automation;
using System.Reflection;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Testing;

namespace DhtPs.Commands;

/// <summary>
/// Starts a ring for a test on free ports, in this session or with -Process one pwsh process per member, waits until
/// it is formed and returns it (members, data folders, Kill and Restart). Remove-DhtTestRing takes it down again.
/// </summary>
[Cmdlet(VerbsCommon.New, "DhtTestRing", DefaultParameterSetName = CountSet)]
[OutputType(typeof(DhtTestRing))]
public sealed class NewDhtTestRingCommand : DhtCmdlet
{
    private const string CountSet = "Count";
    private const string IdSet = "Id";

    private static readonly PropertyInfo[] PassedThrough = [.. typeof(NewDhtTestRingCommand).GetProperties()
        .Where(p => p.GetCustomAttribute<PassedToStartDhtPeerAttribute>() is not null)];

    /// <summary>How many members; their ids are spread evenly over the id space.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CountSet)]
    [ValidateRange(1, RingWalker.MaxMembers)]
    public int Count { get; set; }

    /// <summary>The members' ids.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public ulong[] Id { get; set; } = [];

    /// <summary>Each member in a pwsh process of its own.</summary>
    [Parameter]
    public SwitchParameter Process { get; set; }

    /// <summary>Seconds to wait until the ring is formed (and, with -Process, for each restart).</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public double Timeout { get; set; } = 60;

    /// <summary>The folder to make the ring's data root in. Default: the temp folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DataRoot { get; set; }

    /// <summary>
    /// More parameters for every member's Start-DhtPeer, by name, for those New-DhtTestRing does not declare itself
    /// (e.g. a parameter Start-DhtPeer gained after this version).
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable PeerParameter { get; set; } = [];

    [Parameter, PassedToStartDhtPeer(Always = true)]
    [ValidateRange(0.05, 86400)]
    public double PingInterval { get; set; } = 1;

    [Parameter, PassedToStartDhtPeer]
    [ValidateRange(1, IdSpace.MaxBits)]
    public int IdBits { get; set; } = IdSpace.DefaultBits;

    [Parameter, PassedToStartDhtPeer]
    [ValidateRange(1, 100)]
    public int MissedPingLimit { get; set; } = 3;

    [Parameter, PassedToStartDhtPeer]
    [ValidateRange(0, long.MaxValue)]
    public long MaxFileSize { get; set; } = PeerOptions.DefaultMaxFileSize;

    [Parameter, PassedToStartDhtPeer]
    public RoutingMode Routing { get; set; } = RoutingMode.Fingers;

    [Parameter, PassedToStartDhtPeer]
    [ValidateRange(1, SuccessorList.MaxLength)]
    public int SuccessorCount { get; set; } = SuccessorList.DefaultLength;

    protected override void EndProcessing()
    {
        var space = new IdSpace(IdBits);
        IReadOnlyList<ulong> ids = ParameterSetName == IdSet ? Id : Spread(space, Count);
        foreach (var outside in ids.Where(id => !space.Contains(id)))
            ThrowTerminatingError(Error(new ArgumentOutOfRangeException(nameof(Id), outside, $"Peer id {outside} is outside the {space} (0..{space.MaxId})."),
                "InvalidDhtTestRingId", ErrorCategory.InvalidArgument, outside));
        if ((ulong)ids.Count - 1 > space.MaxId)
            ThrowTerminatingError(Error(new ArgumentOutOfRangeException(nameof(Count), Count, $"The {space} has room for {space.MaxId + 1} peers."),
                "InvalidDhtTestRingId", ErrorCategory.InvalidArgument, Count));

        if (PeerParameter.Keys.Cast<object>().Select(k => $"{k}").FirstOrDefault(IsTaken) is { } taken)
            ThrowTerminatingError(Error(new ArgumentException(
                    $"-PeerParameter cannot set {taken}: {(RingOwned.Contains(taken) ? "the test ring sets it for each member" : $"give New-DhtTestRing -{taken} instead")}.", nameof(PeerParameter)),
                "InvalidDhtTestRingParameter", ErrorCategory.InvalidArgument, taken));

        var host = Process ? TestRingHost.Of((string)SessionState.PSVariable.GetValue("PSHOME"), MyInvocation.MyCommand.Module.ModuleBase) : null;
        var parent = DataRoot is null ? Path.GetTempPath() : SessionState.Path.GetUnresolvedProviderPathFromPSPath(DataRoot);
        DhtTestRing ring;
        try
        {
            ring = DhtTestRing.Start(ids, IdBits, PeerParameters(), host, parent, TimeSpan.FromSeconds(Timeout), PipelineStopToken);
        }
        catch (RuntimeException e) when (e is not PipelineStoppedException)
        {
            throw new RuntimeException($"A peer of the test ring did not start: {e.Message}", e, e.ErrorRecord);
        }
        catch (TimeoutException e)
        {
            ThrowTerminatingError(Error(e, "DhtTestRingNotFormed", ErrorCategory.OperationTimeout, ids));
            return;
        }
        catch (InvalidOperationException e)
        {
            ThrowTerminatingError(Error(e, "DhtTestRingPeerFailed", ErrorCategory.InvalidOperation, ids));
            return;
        }
        WriteObject(ring);
    }

    /// <summary>The Start-DhtPeer parameters the ring sets for each member itself.</summary>
    private static readonly HashSet<string> RingOwned = new(["Id", "Port", "DataPath", "FirstSuccessor", "SecondSuccessor", "KnownPeer", "JoinTimeout"],
        StringComparer.OrdinalIgnoreCase);

    private static bool IsTaken(string name) => RingOwned.Contains(name) || PassedThrough.Any(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The parameters every member's Start-DhtPeer gets: -PeerParameter, and the parameters marked to pass through
    /// that were given or are always passed.
    /// </summary>
    private Hashtable PeerParameters()
    {
        var parameters = new Hashtable(PeerParameter, StringComparer.OrdinalIgnoreCase);
        foreach (var property in PassedThrough)
            if (property.GetCustomAttribute<PassedToStartDhtPeerAttribute>()!.Always || MyInvocation.BoundParameters.ContainsKey(property.Name))
                parameters[property.Name] = property.GetValue(this);
        return parameters;
    }

    /// <summary><paramref name="count"/> ids spread evenly over the id space, each in the middle of its share.</summary>
    internal static ulong[] Spread(IdSpace space, int count)
    {
        var size = (UInt128)space.MaxId + 1;
        return [.. Enumerable.Range(0, count).Select(i => (ulong)(size * (UInt128)(2 * i + 1) / (UInt128)(2 * count)))];
    }
}
