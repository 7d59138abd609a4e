using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Client;
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
    /// <summary>
    /// Where the walk starts: a peer of this session (its id), or any peer of a ring elsewhere as host:port or
    /// id@host:port, walked from outside (no local peer needed). Default: this session's first peer.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(PeerLocatorCompleter))]
    public PeerAddress? Via { get; set; }

    /// <summary>The ring's id width, for a walk from outside; a member of a ring of another width says so, and the walk follows it.</summary>
    [Parameter]
    [ValidateRange(1, IdSpace.MaxBits)]
    public int IdBits { get; set; } = IdSpace.DefaultBits;

    /// <summary>Seconds each member may take to answer.</summary>
    [Parameter]
    [ValidateRange(0.1, 600)]
    public double Timeout { get; set; } = 5;

    protected override void ProcessRecord()
    {
        IRingEntry? start;
        if (Via is not null)
            start = RingEntry(Via, IdBits);
        else if (PeerRegistry.All.FirstOrDefault() is { } first)
            start = new LocalRingEntry(first.Peer);
        else
        {
            WriteError(Error(new InvalidOperationException("This session runs no peer; name a peer of the ring with -Via."),
                "DhtRingStartUnknown", ErrorCategory.InvalidArgument, null));
            return;
        }
        if (start is null)
            return;

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Await(token => start.WalkRingAsync(TimeSpan.FromSeconds(Timeout), token));
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
