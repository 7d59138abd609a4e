using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;

namespace DhtPs.Commands;

/// <summary>
/// Removes files from the ring: the request travels to the owner of the name's key, which records a tombstone (a
/// version above every write of the name) and gives it to its holders, so that no stale copy brings the file back
/// until the tombstone expires. Writes nothing unless -PassThru is given; then the tombstone's DhtFileInfo.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "DhtFile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DhtFileInfo))]
public sealed class RemoveDhtFileCommand : DhtFileCmdlet
{
    /// <summary>The names of the files to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StoredNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Writes the tombstone's DhtFileInfo (owner, version, the copies that confirmed it) for each removed name.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (EntryPeer() is not { } peer)
            return;
        foreach (var name in Name)
        {
            try
            {
                Core.Storage.FileName.EnsureSafe(name);
                if (!ShouldProcess(name, $"Remove from the ring through {peer.Description}"))
                    continue;
                var removed = Await(token => peer.RemoveAsync(name, TimeSpan.FromSeconds(Timeout), token));
                WriteVerbose($"Removed {removed.Name} (key {removed.Key}) at Peer {removed.StoredAt}, version {removed.Version}: " +
                    $"{removed.Replicas} holder(s) keep the tombstone; after {Hops(removed.Hops)} in {removed.Elapsed.TotalSeconds:0.000} s.");
                if (PassThru)
                    WriteObject(removed);
            }
            catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
            {
                WriteFileError(e, name);
            }
        }
    }
}
