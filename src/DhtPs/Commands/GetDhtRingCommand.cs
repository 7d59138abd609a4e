using System.Management.Automation;
using DhtPs.Core.Peer;

namespace DhtPs.Commands;

/// <summary>
/// Walks a ring over the network and lists its members in ring order, as they describe themselves
/// (remote state, not this session's registry), so it works on rings that span processes and hosts.
/// </summary>
[Cmdlet(VerbsCommon.Get, "DhtRing")]
[OutputType(typeof(DhtRingMember))]
public sealed class GetDhtRingCommand : RingWalkCmdlet
{
    /// <summary>Seconds each member may take to answer.</summary>
    [Parameter]
    [ValidateRange(0.1, 600)]
    public double Timeout { get; set; } = 5;

    protected override void ProcessRecord()
    {
        if (RingWalkFromVia(TimeSpan.FromSeconds(Timeout)) is not { } walk)
            return;

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Await(walk);
        WriteVerbose($"Walked {result.Members.Count} member{(result.Members.Count == 1 ? "" : "s")} in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.000} s{(result.Closed ? ", back at the start" : "")}.");
        WriteObject(result.Members, enumerateCollection: true);
        if (result.Members.Count == 0)
            WriteError(result.AuthenticationRefused
                ? Error(new InvalidOperationException($"The ring walk could not start: {result.Problem}"), AuthenticationFailedId, ErrorCategory.AuthenticationError, Via)
                : Error(new InvalidOperationException($"The ring walk could not start: {result.Problem}"), "DhtRingStartUnreachable", ErrorCategory.ConnectionError, Via));
        else if (!result.Closed)
            WriteError(Error(new InvalidOperationException($"The ring walk did not come back to its start: {result.Problem}"),
                "DhtRingIncomplete", ErrorCategory.ConnectionError, Via));
    }
}
