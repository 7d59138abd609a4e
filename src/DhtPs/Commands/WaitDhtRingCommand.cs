using System.Management.Automation;
using DhtPs.Core.Diagnostics;

namespace DhtPs.Commands;

/// <summary>
/// Blocks until the ring, as the network describes it, is the ring expected: these members, so many members, or
/// healthy. On timeout it fails with the expected and the walked ring side by side; Ctrl+C cancels the wait.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "DhtRing", DefaultParameterSetName = MembersSet)]
[OutputType(typeof(DhtRingReport))]
public sealed class WaitDhtRingCommand : RingWalkCmdlet
{
    private const string MembersSet = "Members";
    private const string CountSet = "Count";
    private const string HealthySet = "Healthy";

    /// <summary>How long to pause between two walks.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest a member may take to answer within one walk.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    [Parameter(Mandatory = true, ParameterSetName = MembersSet)]
    [ValidateNotNullOrEmpty]
    public ulong[] Members { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = CountSet)]
    [ValidateRange(1, Core.Peer.RingWalker.MaxMembers)]
    public int Count { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = HealthySet)]
    public SwitchParameter Healthy { get; set; }

    /// <summary>Seconds to wait before failing; the ring is walked at least once.</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public double Timeout { get; set; } = 30;

    protected override void ProcessRecord()
    {
        var timeout = TimeSpan.FromSeconds(Timeout);
        if (RingWalkFromVia(AnswerTimeout) is not { } walk)
            return;
        var expectation = ParameterSetName switch
        {
            MembersSet => RingExpectation.OfMembers(Members),
            CountSet => RingExpectation.OfCount(Count),
            _ => RingExpectation.Healthy,
        };
        var start = WalkStart;
        var result = Await(token => RingWaiter.WaitAsync(
            async t => RingHealthCheck.Inspect(await walk(t).ConfigureAwait(false), start, DateTimeOffset.Now),
            expectation, timeout, PollInterval, cancellationToken: token));
        if (!result.Matched)
            ThrowTerminatingError(Error(new TimeoutException(
                    $"The ring did not become {expectation.Description} within {Timeout:0.###} s (walked from peer {start}):{Environment.NewLine}{result.Comparison.SideBySide()}"),
                "DhtRingWaitTimedOut", ErrorCategory.OperationTimeout, Via));
        WriteObject(result.Report);
    }
}
