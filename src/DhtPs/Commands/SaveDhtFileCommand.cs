using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;

namespace DhtPs.Commands;

/// <summary>
/// Stores local files in the ring (SPEC §8): the store enters at a local peer, travels along successors to the
/// owner of the file's key, and the bytes are streamed to that peer, which keeps them in its data directory.
/// </summary>
[Cmdlet(VerbsData.Save, "DhtFile", DefaultParameterSetName = PathSet)]
[OutputType(typeof(DhtFileInfo))]
public sealed class SaveDhtFileCommand : DhtFileCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The files to store, as PowerShell paths with wildcards.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The files to store, taken literally (no wildcards); files piped from Get-ChildItem bind here through PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The name to store the file under (its key comes from it). Default: the file's own name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The file stored under -Name so far: -Name names one file, a second one would replace it at the owner.</summary>
    private string? _storedUnderName;

    protected override void ProcessRecord()
    {
        if (EntryPeer() is not { } peer)
            return;
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var path in literal ? LiteralPath : Path)
        {
            foreach (var file in ResolveFiles(path, literal))
            {
                if (Name is not null && !ClaimName(file))
                    continue;
                try
                {
                    WriteVerbose($"Storing {file} as {Name ?? System.IO.Path.GetFileName(file)} through Peer {peer.Id}.");
                    var stored = AwaitTransfer($"Saving to the ring through Peer {peer.Id}",
                        (progress, token) => peer.StoreAsync(file, Name, progress, TimeSpan.FromSeconds(Timeout), token));
                    StoredNames.Remember(stored.Name, $"Stored at Peer {stored.StoredAt}");
                    WriteVerboseOutcome("Stored", stored);
                    WriteObject(stored);
                }
                catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
                {
                    WriteFileError(e, file);
                }
            }
        }
    }

    private bool ClaimName(string file)
    {
        if (_storedUnderName is null || _storedUnderName == file)
        {
            _storedUnderName = file;
            return true;
        }
        WriteError(Error(new ArgumentException($"{file} was not stored: -Name {Name} already names {_storedUnderName}, which it would replace."),
            "DhtFileNameForSeveralFiles", ErrorCategory.InvalidArgument, file));
        return false;
    }

    /// <summary>
    /// The file-system paths a PowerShell path names. A folder is skipped with one error of its own; a path that names
    /// nothing is reported as SPEC's "File does not exist". Errors name the plain path, not the provider-qualified one.
    /// </summary>
    private IEnumerable<string> ResolveFiles(string path, bool literal)
    {
        List<string> resolved = [];
        var shown = path;
        try
        {
            ProviderInfo provider;
            var paths = literal
                ? [SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _)]
                : SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
            if (provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                resolved.AddRange(paths);
                if (literal)
                    shown = paths[0];
            }
        }
        catch (ItemNotFoundException)
        {
        }
        var folders = resolved.Where(Directory.Exists).ToList();
        foreach (var folder in folders)
        {
            WriteError(Error(new ArgumentException($"{folder} is a folder, not a file: skipped. Save-DhtFile stores files (Get-ChildItem -File)."),
                "DhtPathIsFolder", ErrorCategory.InvalidArgument, folder));
        }
        var files = resolved.Where(File.Exists).ToList();
        if (files.Count == 0 && folders.Count == 0)
            WriteFileError(new FileNotFoundException($"File does not exist: {shown}", shown), shown);
        return files;
    }
}
