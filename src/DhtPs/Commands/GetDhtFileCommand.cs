using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Peer;

namespace DhtPs.Commands;

/// <summary>
/// Fetches files from the ring (SPEC §9): the request travels along successors to the owner of the name's key,
/// which connects back and streams the file. It is written as received_(name) in the current location unless
/// -Destination says otherwise, and only once complete and verified. Returns a DhtFileInfo whose Path is the local copy.
/// </summary>
[Cmdlet(VerbsCommon.Get, "DhtFile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DhtFileInfo))]
public sealed class GetDhtFileCommand : DhtFileCmdlet
{
    /// <summary>The prefix of the default local name (the original's received_4103).</summary>
    public const string ReceivedPrefix = "received_";

    /// <summary>The names of the files to fetch.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StoredNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>An existing directory to write received_(name) into, or the path of the file to write.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Do not overwrite an existing local file (Out-File's convention): write an error and skip that name instead.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    protected override void ProcessRecord()
    {
        if (EntryPeer() is not { } peer)
            return;
        foreach (var name in Name)
        {
            try
            {
                var destination = DestinationOf(name);
                if (!MayWrite(destination))
                    continue;
                WriteVerbose($"Fetching {name} through Peer {peer.Id} into {destination}.");
                var fetched = AwaitTransfer($"Getting from the ring through Peer {peer.Id}",
                    (progress, token) => peer.FetchAsync(name, destination, progress, TimeSpan.FromSeconds(Timeout), token));
                StoredNames.Remember(fetched.Name, $"Stored at Peer {fetched.StoredAt}");
                WriteVerboseOutcome("Fetched", fetched);
                WriteObject(fetched);
            }
            catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
            {
                WriteFileError(e, name);
            }
        }
    }

    /// <summary>-NoClobber, -WhatIf and -Confirm: whether the fetched file may be written to <paramref name="destination"/>.</summary>
    private bool MayWrite(string destination)
    {
        var exists = File.Exists(destination);
        if (exists && NoClobber)
        {
            WriteError(Error(new IOException($"{destination} already exists and -NoClobber was given: not fetched."),
                "DhtDestinationExists", ErrorCategory.ResourceExists, destination));
            return false;
        }
        return ShouldProcess(destination, exists ? "Overwrite with the file from the ring" : "Write the file from the ring");
    }

    /// <summary>Where the file goes: received_(name) in the current location or in -Destination's directory, or -Destination itself.</summary>
    /// <exception cref="DirectoryNotFoundException">-Destination's directory does not exist.</exception>
    private string DestinationOf(string name)
    {
        Core.Storage.FileName.EnsureSafe(name);
        if (Destination is null)
            return System.IO.Path.Combine(SessionState.Path.CurrentFileSystemLocation.ProviderPath, ReceivedPrefix + name);
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        if (Directory.Exists(path))
            return System.IO.Path.Combine(path, ReceivedPrefix + name);
        if (!Directory.Exists(System.IO.Path.GetDirectoryName(path)))
            throw new DirectoryNotFoundException($"The destination's directory does not exist: {Destination}");
        return path;
    }
}
