using System.Management.Automation;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>Stops peers this session runs and frees their ports.</summary>
[Cmdlet(VerbsLifecycle.Stop, "DhtPeer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class StopDhtPeerCommand : DhtCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public ulong[] Id { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (!PeerRegistry.TryGet(id, out var job))
            {
                WriteError(GetDhtPeerCommand.PeerNotFound(id));
                continue;
            }
            if (!ShouldProcess($"Peer {id} at {job.Peer.Contact.EndPoint}", "Stop"))
                continue;
            Await(_ => PeerRegistry.StopAsync(job));
        }
    }
}
