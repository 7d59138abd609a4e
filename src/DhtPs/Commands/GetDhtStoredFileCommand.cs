using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>
/// What the peers of this session hold on their own disks: each file with its key, its role (owner, or stray when its
/// key belongs to another peer), length and SHA-256. Local state, like Get-DhtPeer; Get-DhtFile asks the ring.
/// </summary>
[Cmdlet(VerbsCommon.Get, "DhtStoredFile")]
[OutputType(typeof(DhtStoredFile))]
public sealed class GetDhtStoredFileCommand : DhtCmdlet
{
    /// <summary>The local peers to list. Default: every peer this session runs.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LocalPeerCompleter))]
    public ulong[]? Id { get; set; }

    /// <summary>Only files whose names match (wildcards allowed).</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(StoredNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToArray();
        foreach (var job in Id is null ? PeerRegistry.All : RunningPeerJobs(Id))
        {
            var files = Await(token => job.Peer.ListStoredFilesAsync(token));
            WriteObject(files.Where(f => patterns is null || patterns.Any(p => p.IsMatch(f.Name))), enumerateCollection: true);
        }
    }
}
