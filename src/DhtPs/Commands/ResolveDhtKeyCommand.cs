using System.Management.Automation;
using DhtPs.Core.Client;
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
    public string[] Name { get; set; } = [];

    /// <summary>The keys to resolve.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeySet)]
    public ulong[] Key { get; set; } = [];

    protected override void ProcessRecord()
    {
        if (EntryPeer() is not { } entry)
            return;
        if (ParameterSetName == KeySet)
        {
            foreach (var key in Key)
                Resolve(entry, name: null, key);
            return;
        }
        foreach (var name in Name)
            Resolve(entry, name, key: null);
    }

    private void Resolve(IRingEntry entry, string? name, ulong? key)
    {
        try
        {
            var lookup = Await(token => entry.LookupAsync(name, key, TimeSpan.FromSeconds(Timeout), token));
            WriteObject(DhtKeyOwner.Of(lookup, name));
        }
        catch (UnsafeFileNameException e)
        {
            WriteFileError(e, name!);
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
