using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;
using DhtPs.Core.Storage;

namespace DhtPs.Commands;

/// <summary>
/// Names the peer that owns a key, or a file name's key (the one Save-DhtFile stores it under), without moving
/// any file: an O(log N) lookup through the finger tables that enters the ring at a local peer.
/// </summary>
[Cmdlet(VerbsDiagnostic.Resolve, "DhtKey", DefaultParameterSetName = NameSet)]
[OutputType(typeof(DhtKeyOwner))]
public sealed class ResolveDhtKeyCommand : DhtFileCmdlet
{
    private const string NameSet = "Name";
    private const string KeySet = "Key";

    /// <summary>A lookup takes a few hops, not a transfer: it has less time to answer than a store or fetch.</summary>
    public ResolveDhtKeyCommand() => Timeout = 5;

    /// <summary>The file names whose keys to resolve.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StoredNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>
    /// The provider path of an item piped by property name (Get-ChildItem output), so that a folder among the files is
    /// skipped with an error instead of resolving its name. Not for typing.
    /// </summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true, DontShow = true)]
    public string? PSPath { get; set; }

    /// <summary>The keys to resolve.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeySet)]
    public ulong[] Key { get; set; } = [];

    protected override void ProcessRecord()
    {
        if (EntryPeer() is not { } peer)
            return;
        if (ParameterSetName == KeySet)
        {
            foreach (var key in Key)
                Resolve(peer, key, name: null);
            return;
        }
        if (PSPath is not null && FolderOf(PSPath) is { } folder)
        {
            WriteError(Error(new ArgumentException($"{folder} is a folder, not a file: skipped. Resolve-DhtKey resolves file names (Get-ChildItem -File)."),
                "DhtPathIsFolder", ErrorCategory.InvalidArgument, folder));
            return;
        }
        foreach (var name in Name)
        {
            ulong key;
            try
            {
                key = FileKey.Of(name, peer.Space);
            }
            catch (UnsafeFileNameException e)
            {
                WriteFileError(e, name);
                continue;
            }
            Resolve(peer, key, name);
        }
    }

    /// <summary>The plain path of <paramref name="psPath"/> when it names a folder of the file system, else null.</summary>
    private string? FolderOf(string psPath)
    {
        try
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(psPath, out var provider, out _);
            return provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider) && Directory.Exists(path) ? path : null;
        }
        catch (Exception e) when (e is ItemNotFoundException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or NotSupportedException)
        {
            return null;
        }
    }

    private void Resolve(PeerNode peer, ulong key, string? name)
    {
        try
        {
            WriteVerbose($"Looking up key {key}{(name is null ? "" : $" ({name})")} through Peer {peer.Id}.");
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var lookup = Await(token => peer.LookupAsync(key, TimeSpan.FromSeconds(Timeout), token));
            WriteVerbose($"Key {key} is owned by Peer {lookup.Owner}, found after {Hops(lookup.Hops)} in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.000} s.");
            WriteObject(DhtKeyOwner.Of(lookup, name));
        }
        catch (ArgumentOutOfRangeException e)
        {
            WriteError(Error(e, "DhtKeyOutOfRange", ErrorCategory.InvalidArgument, key));
        }
        catch (LookupException e)
        {
            var (errorId, category) = e.Failure switch
            {
                LookupFailure.TimedOut => ("DhtLookupTimedOut", ErrorCategory.OperationTimeout),
                LookupFailure.Unroutable => ("DhtLookupUnroutable", ErrorCategory.ConnectionError),
                _ => ("DhtPeerNotRunning", ErrorCategory.InvalidOperation),
            };
            WriteError(Error(e, errorId, category, (object?)name ?? key));
        }
    }
}
