using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>
/// Walks a ring over the network and lists its members in ring order, as they describe themselves
/// (remote state, not this session's registry), so it works on rings that span processes and hosts.
/// </summary>
[Cmdlet(VerbsCommon.Get, "DhtRing")]
[OutputType(typeof(DhtRingMember))]
public sealed class GetDhtRingCommand : DhtCmdlet
{
    /// <summary>Where the walk starts: the id of a peer of this session, or any peer as id, host:port or id@host:port. Default: this session's first peer.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PeerLocatorCompleter))]
    public string? Via { get; set; }

    /// <summary>The ring's id width, for a walk from a session that runs no peer.</summary>
    [Parameter]
    [ValidateRange(1, IdSpace.MaxBits)]
    public int IdBits { get; set; } = IdSpace.DefaultBits;

    /// <summary>Seconds each member may take to answer.</summary>
    [Parameter]
    [ValidateRange(0.1, 600)]
    public double Timeout { get; set; } = 5;

    /// <summary>The local peer the walk starts at: the one -Via names by id, or the first one when -Via is absent.</summary>
    private PeerNode? StartPeer()
    {
        if (Via is null)
            return PeerRegistry.All.FirstOrDefault()?.Peer;
        return ulong.TryParse(Via, out var id) && PeerRegistry.TryGet(id, out var job) ? job.Peer : null;
    }

    protected override void ProcessRecord()
    {
        var timeout = TimeSpan.FromSeconds(Timeout);
        Func<CancellationToken, Task<RingWalk>> walk;
        if (StartPeer() is { } start)
        {
            walk = token => start.WalkRingAsync(timeout: timeout, cancellationToken: token);
        }
        else if (Via is null)
        {
            WriteError(Error(new InvalidOperationException("This session runs no peer; name a peer of the ring with -Via."),
                "DhtRingStartUnknown", ErrorCategory.InvalidArgument, null));
            return;
        }
        else if (PeerLocator.TryParse(Via, out var locator, out var problem))
        {
            // Any local peer can ask; with none, a throwaway socket does.
            var asker = PeerRegistry.All.FirstOrDefault()?.Peer;
            walk = asker is null
                ? token => RingWalker.WalkFromOutsideAsync(locator.EndPoint, new IdSpace(IdBits), timeout, cancellationToken: token)
                : token => asker.WalkRingAsync(locator.EndPoint, timeout, token);
        }
        else
        {
            WriteError(Error(new ArgumentException(problem, nameof(Via)), "InvalidDhtRingStart", ErrorCategory.InvalidArgument, Via));
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Await(walk);
        WriteVerbose($"Walked {result.Members.Count} member{(result.Members.Count == 1 ? "" : "s")} in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.000} s{(result.Closed ? ", back at the start" : "")}.");
        WriteObject(result.Members, enumerateCollection: true);
        if (result.Members.Count == 0)
            WriteError(Error(new InvalidOperationException($"The ring walk could not start: {result.Problem}"),
                "DhtRingStartUnreachable", ErrorCategory.ConnectionError, Via));
        else if (!result.Closed)
            WriteError(Error(new InvalidOperationException($"The ring walk did not come back to its start: {result.Problem}"),
                "DhtRingIncomplete", ErrorCategory.ConnectionError, Via));
    }
}
