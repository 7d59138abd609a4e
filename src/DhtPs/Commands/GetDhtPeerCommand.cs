using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Diagnostics;
using DhtPs.Core.Peer;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>The state of the peers this session runs (local state; Get-DhtRing asks the network).</summary>
[Cmdlet(VerbsCommon.Get, "DhtPeer", DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(DhtPeer))]
[OutputType(typeof(PeerStatistics))]
public sealed class GetDhtPeerCommand : DhtCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByJobSet = "ByJob";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ArgumentCompleter(typeof(LocalPeerCompleter))]
    public ulong[]? Id { get; set; }

    /// <summary>Peer jobs, as Get-Job writes them.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByJobSet)]
    public Job[] Job { get; set; } = [];

    /// <summary>What each peer did since it started (messages, transfer bytes, refusals, failures, requests) instead of its state.</summary>
    [Parameter]
    public SwitchParameter Statistics { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByJobSet)
        {
            foreach (var job in RunningPeerJobs(Job))
                Write(job);
            return;
        }
        if (Id is null)
        {
            WriteVerbose($"This process runs {PeerRegistry.All.Count()} peer(s).");
            foreach (var job in PeerRegistry.All)
                Write(job);
            return;
        }
        foreach (var job in RunningPeerJobs(Id))
            Write(job);
    }

    private void Write(DhtPeerJob job) => WriteObject(Statistics ? job.Peer.Statistics : job.Peer.Snapshot);

    internal static ErrorRecord PeerNotFound(ulong id) => new(
        new ItemNotFoundException($"No peer with id {id} runs in this process. Get-DhtPeer lists the peers that do."),
        "DhtPeerNotFound", ErrorCategory.ObjectNotFound, id);
}
