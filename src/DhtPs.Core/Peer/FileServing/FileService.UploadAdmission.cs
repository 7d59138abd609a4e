using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// A peer keeps only the uploads it asked for: a store it accepted as the key's owner (matched by request id, name and
/// origin), a hand-off from its departing first predecessor, or the take-over it requested from its successor, each
/// for keys it owns. Anything else is refused before a byte is written.
/// </summary>
internal sealed partial class FileService
{
    /// <summary>Stores this peer accepted as owner whose bytes have not come yet, by request id. Touched only on the logical thread.</summary>
    private readonly Dictionary<string, AcceptedStore> _acceptedStores = new(StringComparer.Ordinal);

    /// <param name="Version">What the stored file becomes: above every version of the name this peer knew when it accepted the store.</param>
    private sealed record AcceptedStore(string Name, ulong Origin, DateTimeOffset Expires, FileVersion Version);

    /// <summary>The highest version counter this peer has seen in a message (its store keeps the highest it holds): a Lamport clock.</summary>
    private long _clock;

    /// <summary>A version from another peer: the next one this peer gives is above it.</summary>
    private void Observe(FileVersion version) => _clock = Math.Max(_clock, version.Counter);

    /// <summary>The version of a new write of <paramref name="name"/> by <paramref name="writer"/>: above everything this peer has seen or holds.</summary>
    private FileVersion NextVersion(string name, ulong writer)
    {
        var version = FileVersion.After(Math.Max(_clock, Math.Max(Files.HighestCounter, Files.Find(name)?.Version.Counter ?? 0)), writer);
        _clock = version.Counter;
        return version;
    }

    /// <summary>
    /// The origin uploads as soon as it has the answer: one request to tell it, one connection to open,
    /// each within <see cref="PeerOptions.RequestTimeout"/>; a third covers scheduling delays.
    /// </summary>
    private TimeSpan AcceptedStoreLifetime => 3 * _options.RequestTimeout;

    private void RecordAcceptedStore(RoutedFileRequest store)
    {
        var now = _context.Time.GetUtcNow();
        foreach (var expired in _acceptedStores.Where(entry => entry.Value.Expires <= now).Select(entry => entry.Key).ToArray())
            _acceptedStores.Remove(expired);
        _acceptedStores[store.RequestId] = new AcceptedStore(store.Name, store.Origin.Id, now + AcceptedStoreLifetime, NextVersion(store.Name, store.Origin.Id));
    }

    /// <summary>The version an accepted store is kept at (a store by this peer of a key it owns).</summary>
    private FileVersion AcceptedVersion(string requestId, string name) =>
        _acceptedStores.TryGetValue(requestId, out var accepted) ? accepted.Version : NextVersion(name, Self.Id);

    /// <summary>The version an admitted upload is kept at: a store's from its acceptance, every other's as the sender holds it.</summary>
    private FileVersion UploadVersion(FileUpload upload) =>
        upload.Purpose == UploadPurpose.Store && upload.RequestId is { } id && _acceptedStores.TryGetValue(id, out var accepted) ? accepted.Version : upload.Version;

    /// <summary>Null when the upload announced by <paramref name="header"/> may be kept; otherwise the refusal to send back.</summary>
    public ErrorResponse? AdmitUpload(FileUpload upload, TransferHeader header)
    {
        if (_context.Status is not PeerStatus.Running)
            return Refuse(ErrorCode.NotRunning, $"Peer {Self.Id} is {_context.Status}.");
        var key = FileKey.Of(header.Name, Space);
        return upload.Purpose switch
        {
            UploadPurpose.Store => AdmitStore(upload.RequestId, header.Name, upload.Sender.Id),
            UploadPurpose.HandOff => AdmitHandOff(key, upload.Sender.Id),
            UploadPurpose.Replica => AdmitReplica(header.Name, upload.Version),
            _ => AdmitTakeOver(header.Name, key, upload.Sender.Id, upload.Version),
        };
    }

    private ErrorResponse? AdmitStore(string? requestId, string name, ulong from)
    {
        if (requestId is null)
            return Refuse(ErrorCode.Unsolicited, $"A store upload must name the store request Peer {Self.Id} accepted.");
        if (!_acceptedStores.TryGetValue(requestId, out var accepted) || accepted.Expires <= _context.Time.GetUtcNow())
            return Refuse(ErrorCode.Unsolicited, $"Peer {Self.Id} has accepted no store {requestId} (or it expired).");
        if (accepted.Name != name || accepted.Origin != from)
            return Refuse(ErrorCode.Unsolicited, $"Store {requestId} was accepted for {accepted.Name} from Peer {accepted.Origin}, not {name} from Peer {from}.");
        // Admitted until the file is kept: the origin retries a cut-off upload under the same request id.
        return null;
    }

    /// <summary>A departing peer is this one's first predecessor, and its keys lie in (second predecessor, this peer].</summary>
    private ErrorResponse? AdmitHandOff(ulong key, ulong from)
    {
        var predecessors = _neighborhood.Predecessors;
        if (predecessors.FirstOrDefault()?.Id != from)
            return Refuse(ErrorCode.Unsolicited, $"Peer {from} is not the first predecessor of Peer {Self.Id}: it has no files to hand over here.");
        if (predecessors.ElementAtOrDefault(1) is { } before && !Space.InHalfOpen(key, before.Id, Self.Id))
            return Refuse(ErrorCode.Unsolicited, $"Key {key} will not be Peer {Self.Id}'s when Peer {from} has gone.");
        return null;
    }

    private ErrorResponse? AdmitTakeOver(string name, ulong key, ulong from, FileVersion version)
    {
        var now = _context.Time.GetUtcNow();
        if (_takeOver is not { } progress || progress.From.Id != from || !progress.Pending(now, _options.TransferIdleTimeout))
            return Refuse(ErrorCode.Unsolicited, $"Peer {Self.Id} is taking over no files from Peer {from}.");
        // A peer back on the ring may not have heard its predecessor again yet: the range it asked for stands in.
        if (!Owns(key) && !(_neighborhood.FirstPredecessor is null && Space.InHalfOpen(key, progress.After, Self.Id)))
        {
            progress.Skipped(now);
            return Refuse(ErrorCode.Unsolicited, $"Key {key} is not Peer {Self.Id}'s.");
        }
        if (Files.Find(name) is { } held && held.Version >= version)
        {
            progress.Skipped(now);
            return Refuse(ErrorCode.AlreadyStored, $"Peer {Self.Id} already holds {name} at version {held.Version}, stored since it joined.");
        }
        progress.Started(now);
        return null;
    }

    /// <summary>
    /// A refusal when the uploads under way or abandoned here, with this one, would hold more than
    /// <see cref="PeerOptions.MaxPartialSize"/> (the bytes a retry of this same upload left count too: the bound is conservative).
    /// </summary>
    private ErrorResponse? RefuseOverPartialBound(TransferHeader header) =>
        Files.PartialBytes() is var held && held + header.Length > _options.MaxPartialSize
            ? Refuse(ErrorCode.NoSpace, $"{header.Name} needs {header.Length} bytes; uploads not yet complete hold {held} here, and at most {_options.MaxPartialSize} may be held.")
            : null;

    /// <summary>
    /// A refusal when the files stored here and the uploads under way or abandoned, with this one, would hold more than
    /// <see cref="PeerOptions.MaxStorage"/>; the copy this upload replaces does not count (a new version frees it).
    /// </summary>
    private ErrorResponse? RefuseOverStorageQuota(TransferHeader header)
    {
        if (_options.MaxStorage is not { } quota)
            return null;
        var held = Files.StoredBytes() - (Files.Find(header.Name) is { IsTombstone: false } replaced ? replaced.Length : 0) + Files.PartialBytes();
        return held + header.Length > quota
            ? Refuse(ErrorCode.NoSpace, $"{header.Name} needs {header.Length} bytes; Peer {Self.Id} holds {held} of its quota of {quota}.")
            : null;
    }

    /// <summary>A refusal when the drive of <paramref name="directory"/> has no room for <paramref name="header"/>'s file.</summary>
    private ErrorResponse? RefuseWithoutRoom(TransferHeader header, string directory) =>
        _context.FileSystem.AvailableBytes(directory) is { } free && free < header.Length
            ? Refuse(ErrorCode.NoSpace, $"{header.Name} needs {header.Length} bytes; the drive of {directory} has {free} free.")
            : null;
}
