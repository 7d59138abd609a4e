using System.Management.Automation;
using DhtPs.Core.Diagnostics;

namespace DhtPs.Commands;

/// <summary>
/// Walks a ring and reports whether it is consistent: members in identifier order, each listing the next and the
/// previous members as its successors and predecessors. The report says what is wrong, peer by peer.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "DhtRing")]
[OutputType(typeof(DhtRingReport))]
public sealed class TestDhtRingCommand : RingWalkCmdlet
{
    /// <summary>Seconds each member may take to answer.</summary>
    [Parameter]
    [ValidateRange(0.1, 600)]
    public double Timeout { get; set; } = 5;

    protected override void ProcessRecord()
    {
        if (RingWalkFromVia(TimeSpan.FromSeconds(Timeout)) is not { } walk)
            return;
        var start = WalkStart;
        WriteObject(Await(async token => RingHealthCheck.Inspect(await walk(token).ConfigureAwait(false), start, DateTimeOffset.Now)));
    }
}
