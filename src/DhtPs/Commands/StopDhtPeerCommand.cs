using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>
/// Stops peers this session runs and frees their ports. By default a peer departs gracefully
/// (SPEC §5: its predecessors are told and acknowledge); -Abrupt stops it telling nobody.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "DhtPeer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByJobSet)]
[OutputType(typeof(Core.Peer.DhtPeer))]
public sealed class StopDhtPeerCommand : DhtCmdlet
{
    private const string ByIdSet = "ById";

    // The default, because with -Id mandatory in the default set PowerShell would bind a piped job's number to -Id.
    private const string ByJobSet = "ByJob";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ArgumentCompleter(typeof(LocalPeerCompleter))]
    public ulong[] Id { get; set; } = [];

    /// <summary>Peer jobs, as Get-Job writes them.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByJobSet)]
    public Job[] Job { get; set; } = [];

    /// <summary>Stop without telling anyone, as if the process died; the ring repairs through missed pings.</summary>
    [Parameter]
    public SwitchParameter Abrupt { get; set; }

    /// <summary>
    /// Seconds a graceful departure may take (handing files over, telling the predecessors) before the peer stops
    /// abruptly. Default: the peer's own Start-DhtPeer -DepartTimeout.
    /// </summary>
    [Parameter]
    [ValidateRange(0.1, 86400)]
    public double? Timeout { get; set; }

    /// <summary>Write each stopped peer's last state (State Stopped).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var jobs = ParameterSetName == ByJobSet ? RunningPeerJobs(Job) : RunningPeerJobs(Id);
        foreach (var job in jobs)
        {
            if (ShouldProcess($"Peer {job.Peer.Id} at {job.Peer.Contact.EndPoint}", Abrupt ? "Stop abruptly" : "Depart"))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Await(_ => PeerRegistry.StopAsync(job, Abrupt, Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null));
                WriteVerbose($"Peer {job.Peer.Id} {(Abrupt ? "stopped" : "departed")} in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.000} s.");
                if (PassThru)
                    WriteObject(job.Peer.Snapshot);
            }
        }
    }
}
