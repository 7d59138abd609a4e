using System.Management.Automation;
using DhtPs.Core.Diagnostics;
using DhtPs.Core.Ring;

namespace DhtPs.Commands;

/// <summary>
/// Walks a ring and reports whether it is consistent: members in identifier order, each listing the next and the
/// previous members as its successors and predecessors; then asks every member for its files and reports each one with
/// its owner, its holders and their versions, and the files that are under-replicated or inconsistent. The report says
/// what is wrong, peer by peer and file by file.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "DhtRing")]
[OutputType(typeof(DhtRingReport))]
public sealed class TestDhtRingCommand : RingWalkCmdlet
{
    /// <summary>Seconds each member may take to answer.</summary>
    [Parameter]
    [ValidateRange(0.1, 600)]
    public double Timeout { get; set; } = 5;

    /// <summary>Checks only the ring's structure: no member is asked for its files.</summary>
    [Parameter]
    public SwitchParameter SkipFiles { get; set; }

    protected override void ProcessRecord()
    {
        if (RingEntryFromVia() is not { } entry)
            return;
        var start = WalkStart;
        var timeout = TimeSpan.FromSeconds(Timeout);
        WriteObject(Await(async token =>
        {
            var walk = await entry.WalkRingAsync(timeout, token).ConfigureAwait(false);
            if (SkipFiles)
                return RingHealthCheck.Inspect(walk, start, DateTimeOffset.Now);
            var survey = await RingFileCheck.SurveyAsync(walk.Members, (member, request) => entry.AskMemberAsync(member, request, timeout, token), walk.IdBits)
                .ConfigureAwait(false);
            return RingHealthCheck.Inspect(walk, start, DateTimeOffset.Now, survey, new IdSpace(walk.IdBits));
        }));
    }
}
