using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;
using DhtPs.Hosting;
using DhtPs.Interactive;

namespace DhtPs.Commands;

/// <summary>
/// Attaches the original program's console to a peer of this session: prints its events as they happen
/// ("> " and the original message) and runs Store, Request, Ring, Help and Quit. Lines come from -Command
/// and the pipeline (run in order, then it returns), or else from the console until the peer stops.
/// </summary>
[Cmdlet(VerbsCommon.Enter, "DhtPeer", DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(string))]
public sealed class EnterDhtPeerCommand : DhtCmdlet, IDisposable
{
    private const string ByIdSet = "ById";
    private const string ByPeerSet = "ByPeer";

    private PeerConsole? _console;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet)]
    [ArgumentCompleter(typeof(LocalPeerCompleter))]
    public ulong Id { get; set; }

    /// <summary>A peer's state, as Start-DhtPeer and Get-DhtPeer write it.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByPeerSet)]
    public DhtPeer? Peer { get; set; }

    /// <summary>A console line from the pipeline, run after -Command's.</summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = ByIdSet)]
    [AllowEmptyString]
    public string? InputObject { get; set; }

    /// <summary>Also print the latest N events the peer raised before the console attached (pings included).</summary>
    [Parameter]
    [ValidateRange(0, DhtPeerJob.BacklogLimit)]
    public int Backlog { get; set; }

    /// <summary>Console lines to run in order instead of reading the console.</summary>
    [Parameter]
    [AllowEmptyString]
    public string[]? Command { get; set; }

    protected override void ProcessRecord()
    {
        var id = Peer?.Id ?? Id;
        if (_console?.PeerId != id && !Attach(id))
            return;
        if (InputObject is not null)
            _console!.Run(InputObject);
        else if (Command is null)
            _console!.Interact();
    }

    protected override void EndProcessing() => Detach();

    public void Dispose() => Detach();

    private bool Attach(ulong id)
    {
        Detach();
        if (!PeerRegistry.TryGet(id, out var job))
        {
            WriteError(GetDhtPeerCommand.PeerNotFound(id));
            return false;
        }
        WriteVerbose($"Attached to Peer {id} at {job.Peer.Contact.EndPoint}.");
        _console = new PeerConsole(job, PeerFileCommands.Instance, SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            WriteObject, PipelineStopToken, Backlog);
        foreach (var line in Command ?? [])
            _console.Run(line);
        return true;
    }

    private void Detach()
    {
        _console?.Dispose();
        _console = null;
    }
}
