using System.Management.Automation;
using DhtPs.Core.Peer;

namespace DhtPs.Commands;

/// <summary>
/// Stores local files in the ring (SPEC §8): the store enters at a local peer, travels along successors to the
/// owner of the file's key, and the bytes are streamed to that peer, which keeps them in its data directory.
/// </summary>
[Cmdlet(VerbsData.Save, "DhtFile")]
[OutputType(typeof(DhtFileInfo))]
public sealed class SaveDhtFileCommand : DhtFileCmdlet
{
    /// <summary>The files to store; PowerShell paths with wildcards, or files from the pipeline (FullName, PSPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The name to store the file under (its key comes from it). Default: the file's own name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (EntryPeer() is not { } peer)
            return;
        foreach (var path in Path)
        {
            foreach (var file in ResolveFiles(path))
            {
                try
                {
                    WriteObject(AwaitTransfer($"Saving to the ring through Peer {peer.Id}",
                        (progress, token) => peer.StoreAsync(file, Name, progress, TimeSpan.FromSeconds(Timeout), token)));
                }
                catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
                {
                    WriteFileError(e, file);
                }
            }
        }
    }

    /// <summary>The file-system paths a PowerShell path names; one that names nothing is reported as SPEC's "File does not exist".</summary>
    private IEnumerable<string> ResolveFiles(string path)
    {
        List<string> resolved = [];
        try
        {
            resolved.AddRange(SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider)
                .Where(_ => provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider)));
        }
        catch (ItemNotFoundException)
        {
        }
        var files = resolved.Where(File.Exists).ToList();
        if (files.Count == 0)
            WriteFileError(new FileNotFoundException($"File does not exist: {path}", path), path);
        return files;
    }
}
