using System.Text.Json.Serialization;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Protocol;

/// <summary>
/// SPEC §8 and §9: a file request routed to the peer that owns <see cref="RoutedRequest.Key"/>; the owner answers the
/// origin with a <see cref="RouteAnswer"/> (or, for a fetch, with the file itself).
/// </summary>
public abstract record RoutedFileRequest : RoutedRequest
{
    public required string Name { get; init; }
}

/// <summary>SPEC §8: where should this file be stored? The owner accepts, then receives the bytes over a stream (<see cref="FileUpload"/>).</summary>
public sealed record StoreRequest : RoutedFileRequest;

/// <summary>
/// Remove-DhtFile: the owner records a tombstone at a version above every write it holds, gives it to its holders and
/// answers <see cref="RouteOutcome.Removed"/> once the write quorum holds it (protocol.md 8.9).
/// </summary>
public sealed record RemoveRequest : RoutedFileRequest;

/// <summary>SPEC §9: who has this file? The owner sends it straight to the origin (<see cref="FileDelivery"/>).</summary>
public sealed record FetchRequest : RoutedFileRequest
{
    /// <summary>How many holders, starting at the owner, pass the request on to the next copy before one serves it (a retry after a corrupt copy).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SkipCopies { get; init; }

    /// <summary>How often a holder has passed the request on to the next copy (a holder lacking the file, or skipping): at most r - 1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ReplicaHops { get; init; }
}

/// <summary>
/// A small file (at most <see cref="PeerOptions.InlineFileSize"/>) delivered inside one message on the peers' kept
/// connection, instead of on a stream of its own (<see cref="FileDelivery"/>): the origin checks it like a delivery and
/// answers with an <see cref="Acknowledgement"/> once it is in place, or an <see cref="ErrorResponse"/>.
/// </summary>
public sealed record FileContent : Message
{
    /// <summary>Room in one 60 KiB frame for the content in base64 and the rest of the message.</summary>
    public const int MaxLength = 40 * 1024;

    public required string RequestId { get; init; }
    public required string Name { get; init; }

    /// <summary>The SHA-256 the holder recorded when this version was stored.</summary>
    public required string Sha256 { get; init; }

    public required byte[] Content { get; init; }
    public int Hops { get; init; }
    public ulong? OwnedFrom { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public FileVersion Version { get; init; }
}

/// <summary>
/// Get-DhtFile's second opinion (protocol.md 8.9): routed like a <see cref="FetchRequest"/> to a holder other than the one
/// serving the fetch, which answers with the version and SHA-256 its index recorded (<see cref="RouteOutcome.Recorded"/>).
/// </summary>
public sealed record DigestRequest : RoutedFileRequest
{
    /// <summary>As in <see cref="FetchRequest.SkipCopies"/>: which holder answers, counting from the owner.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SkipCopies { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ReplicaHops { get; init; }
}

public enum UploadPurpose
{
    /// <summary>A user's store, after the receiver answered its <see cref="StoreRequest"/> with <see cref="RouteOutcome.StoreAccepted"/>.</summary>
    Store,

    /// <summary>A departing peer hands its files to its first successor.</summary>
    HandOff,

    /// <summary>A peer gives a newcomer just before it the files whose keys the newcomer now owns (<see cref="TakeOverRequest"/>).</summary>
    TakeOver,

    /// <summary>An owner gives one of its next r - 1 successors a copy of a file of its range (or a replica gives the owner one it lacks).</summary>
    Replica,
}

/// <summary>
/// Opens a stream that carries one file to be kept by the receiver. The transfer frames follow; the receiver answers
/// with one message frame, an <see cref="Acknowledgement"/> once the file is committed or an <see cref="ErrorResponse"/>.
/// A receiver keeps only what it asked for: a store it accepted, or a hand-off or take-over of keys it owns.
/// </summary>
public sealed record FileUpload : Message
{
    public UploadPurpose Purpose { get; init; }

    /// <summary>For <see cref="UploadPurpose.Store"/>: the id of the <see cref="StoreRequest"/> the receiver accepted.</summary>
    public string? RequestId { get; init; }

    /// <summary>The version the sender holds (every purpose but a store, whose version its owner gave when it accepted it).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public FileVersion Version { get; init; }
}

/// <summary>
/// A small file (at most <see cref="PeerOptions.InlineFileSize"/>) uploaded inside one message on the peers' kept connection,
/// instead of on a stream of its own (<see cref="FileUpload"/>): admitted, checked and kept exactly like a streamed upload,
/// and answered like one, with an <see cref="Acknowledgement"/> once it is kept (for a store, once the write quorum holds
/// it) or an <see cref="ErrorResponse"/>.
/// </summary>
public sealed record FileUploadContent : Message
{
    public UploadPurpose Purpose { get; init; }

    /// <inheritdoc cref="FileUpload.RequestId"/>
    public string? RequestId { get; init; }

    /// <inheritdoc cref="FileUpload.Version"/>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public FileVersion Version { get; init; }

    public required string Name { get; init; }

    /// <summary>The SHA-256 of <see cref="Content"/>, as a stream's header announces it.</summary>
    public required string Sha256 { get; init; }

    /// <summary>At most <see cref="FileContent.MaxLength"/> bytes.</summary>
    public required byte[] Content { get; init; }

    /// <summary>The stream upload this message stands for: what admission judges.</summary>
    public FileUpload AsUpload() => new() { Sender = Sender, IdBits = IdBits, Purpose = Purpose, RequestId = RequestId, Version = Version };
}

/// <summary>
/// A newcomer, once accepted, asks its first successor for the files whose keys it now owns: those in
/// (<see cref="Predecessor"/>, sender]. The successor answers with a <see cref="TakeOverOffer"/> and uploads them.
/// </summary>
public sealed record TakeOverRequest : Message
{
    /// <summary>The newcomer's first predecessor: the peer that accepted its join.</summary>
    public required PeerContact Predecessor { get; init; }
}

/// <summary>How many files the successor is about to upload (<see cref="UploadPurpose.TakeOver"/>) to the newcomer.</summary>
public sealed record TakeOverOffer : Message
{
    public required int Files { get; init; }
}

/// <summary>
/// SPEC §9: the owner opens a stream to the origin of a <see cref="FetchRequest"/> and streams the file; the origin
/// answers with one message frame once it has committed (or refused) the copy.
/// </summary>
public sealed record FileDelivery : Message
{
    public required string RequestId { get; init; }
    public int Hops { get; init; }

    /// <summary>As in <see cref="RouteAnswer.OwnedFrom"/>: the sending owner's range starts after this id.</summary>
    public ulong? OwnedFrom { get; init; }

    /// <summary>The version the holder sends; the digest in the header is the one recorded when that version was stored.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public FileVersion Version { get; init; }
}
