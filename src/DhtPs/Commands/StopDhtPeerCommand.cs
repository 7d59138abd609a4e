using System.Management.Automation;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>
/// Stops peers this session runs and frees their ports. By default a peer departs gracefully
/// (SPEC §5: its predecessors are told and acknowledge); -Abrupt stops it telling nobody.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "DhtPeer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class StopDhtPeerCommand : DhtCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public ulong[] Id { get; set; } = [];

    /// <summary>Stop without telling anyone, as if the process died; the ring repairs through missed pings.</summary>
    [Parameter]
    public SwitchParameter Abrupt { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (!PeerRegistry.TryGet(id, out var job))
            {
                WriteError(GetDhtPeerCommand.PeerNotFound(id));
                continue;
            }
            if (!ShouldProcess($"Peer {id} at {job.Peer.Contact.EndPoint}", Abrupt ? "Stop abruptly" : "Depart"))
                continue;
            Await(_ => PeerRegistry.StopAsync(job, Abrupt));
        }
    }
}
