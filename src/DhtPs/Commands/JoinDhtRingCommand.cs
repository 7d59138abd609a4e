using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>Joins a lone peer of this session to the ring a known peer belongs to (SPEC §4).</summary>
[Cmdlet(VerbsCommon.Join, "DhtRing", DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(DhtPeer))]
public sealed class JoinDhtRingCommand : DhtCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByPeerSet = "ByPeer";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ArgumentCompleter(typeof(LocalPeerCompleter))]
    public ulong Id { get; set; }

    /// <summary>A peer's state, as Start-DhtPeer and Get-DhtPeer write it.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByPeerSet)]
    public DhtPeer? Peer { get; set; }

    /// <summary>A peer of the ring to join: an id (127.0.0.1:12000+id), host:port or id@host:port.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PeerLocatorCompleter))]
    public string KnownPeer { get; set; } = "";

    /// <summary>Seconds to wait for the join to be accepted.</summary>
    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double JoinTimeout { get; set; } = 30;

    protected override void ProcessRecord()
    {
        var id = Peer?.Id ?? Id;
        if (!PeerRegistry.TryGet(id, out var job))
        {
            WriteError(GetDhtPeerCommand.PeerNotFound(id));
            return;
        }
        if (JoinRing(job.Peer, KnownPeer, JoinTimeout) is { } joined)
            WriteObject(joined);
    }
}
