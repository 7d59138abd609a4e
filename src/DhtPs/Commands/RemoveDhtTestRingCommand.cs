using System.Management.Automation;
using DhtPs.Testing;

namespace DhtPs.Commands;

/// <summary>
/// Takes test rings down: kills their peer processes, stops their in-process peers and removes their jobs, and
/// deletes their data. Without -Ring it removes every test ring of this session, which suits AfterAll/AfterEach.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "DhtTestRing", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class RemoveDhtTestRingCommand : DhtCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public DhtTestRing[]? Ring { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var ring in Ring ?? TestRingRegistry.All)
        {
            if (ring.IsRemoved || !ShouldProcess(ring.ToString(), "Remove"))
                continue;
            foreach (var problem in ring.Remove(JobRepository))
                WriteError(Error(new IOException(problem), "DhtTestRingNotRemoved", ErrorCategory.ResourceBusy, ring));
        }
    }
}
