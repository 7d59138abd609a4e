using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Protocol;

/// <summary>What is wrong with a decoded message; <see cref="Code"/> is what a refused request is answered with.</summary>
public readonly record struct MessageProblem(ErrorCode Code, string Reason)
{
    /// <summary>For callers that cannot go on without a valid message (a stream's verdict): the problem as malformed input.</summary>
    public ProtocolException ToException(Message message) => new(ProtocolError.MalformedPayload, $"{message.GetType().Name} is malformed: {Reason}.");
}

/// <summary>
/// The one way a decoded message is checked before anything acts on it (<see cref="Transport.Ingest"/> runs it for
/// every frame and datagram a peer receives): the JSON shape says little, so this checks a usable sender, known
/// enumeration values, the receiver's ring width, ids inside its id space, dialable endpoints and lists of a sane
/// length. A message with a problem is dropped and counted, never acted on; a request is answered with the code.
/// </summary>
public static class MessageValidator
{
    /// <summary>
    /// No message lists more peers than this: the longest successor list a peer may keep, plus the sender itself
    /// (a successor change lists the acceptor before its successors). Any successor count up to that is on the wire.
    /// </summary>
    public const int MaxListedPeers = SuccessorList.MaxLength + 1;

    /// <summary>
    /// No message piggybacks more deaths than this: as many as a successor list and its owner, which covers a peer's
    /// whole neighbourhood dying at once (a detector sends the newest first and leaves the rest for the next message).
    /// </summary>
    public const int MaxDeaths = MaxListedPeers;

    /// <summary>Request ids are short tokens chosen by the origin.</summary>
    public const int MaxRequestIdLength = 64;

    /// <summary>
    /// Checks <paramref name="message"/> for a peer of <paramref name="space"/>: its shape, then the ring width
    /// (<see cref="ErrorCode.IdBitsMismatch"/>), then its contents.
    /// </summary>
    public static MessageProblem? Validate(Message message, IdSpace space)
    {
        if (CheckShape(message) is { } shapeProblem)
            return shapeProblem;
        if (message.IdBits != space.Bits)
            return new MessageProblem(ErrorCode.IdBitsMismatch, $"it uses {message.IdBits}-bit ids, this ring uses {space.Bits}");
        if (CheckContact(message.Sender, space, "sender") is { } senderProblem)
            return senderProblem;
        return message switch
        {
            JoinRequest { Joiner: null } => Invalid("the joiner is missing"),
            JoinRequest join when !space.Contains(join.Joiner.Id) =>
                new MessageProblem(ErrorCode.IdOutOfRange, $"Peer id {join.Joiner.Id} is outside the {space} (0..{space.MaxId})."),
            JoinRequest { Hops: < 0 } => Invalid("the hop count is negative"),
            JoinRequest join => CheckContact(join.Joiner, space, "joiner"),
            JoinAccepted accepted => CheckList(accepted.Successors, space, "successor") ?? CheckList(accepted.Predecessors, space, "predecessor"),
            SuccessorChange change => CheckList(change.Successors, space, "successor"),
            DepartureNotice departure => CheckList(departure.Successors, space, "successor"),
            RoutedFileRequest file => CheckContact(file.Origin, space, "origin") ?? CheckFile(file, space),
            LookupRequest lookup => CheckContact(lookup.Origin, space, "origin") ?? CheckLookup(lookup, space),
            TakeOverRequest takeOver => CheckContact(takeOver.Predecessor, space, "predecessor"),
            ReplicaSync { Digest: { } digest } when !FileDigest.IsWellFormed(digest) => Invalid("the range digest is not 64 lowercase hex digits"),
            ReplicaSync sync => CheckReplicaRange(sync.After, sync.Files, space),
            ReplicaRelease release => CheckReplicaRange(release.After, release.Files, space),
            ReplicaSyncReply reply => CheckNames(reply.Missing) ?? (reply.Removed is { } removed ? CheckEntries(removed) : null),
            ReplicaReleaseReply reply => CheckNames(reply.Kept),
            StoredFilesRequest { After: { } after } when FileName.UnsafeReason(after) is { } reason => Invalid($"file name '{after}' is refused: {reason}"),
            StoredFilesReply { ReplicationFactor: < 1 or >= SuccessorList.MaxLength } stored => Invalid($"replication factor {stored.ReplicationFactor} is unusable"),
            StoredFilesReply stored => CheckEntries(stored.Files),
            RouteAnswer answer => CheckRequestId(answer.RequestId, answer.Hops) ?? CheckOwnedFrom(answer.OwnedFrom, space),
            FileDelivery delivery => CheckOwnedFrom(delivery.OwnedFrom, space),
            FileContent { Content: null or { Length: > FileContent.MaxLength } } => Invalid($"the content is missing or longer than {FileContent.MaxLength} bytes"),
            FileContent { Sha256: var sha } when !FileDigest.IsWellFormed(sha) => Invalid("its SHA-256 is not 64 hex digits"),
            FileContent content when FileName.UnsafeReason(content.Name) is { } reason => Invalid($"file name '{content.Name}' is refused: {reason}"),
            FileContent content => CheckRequestId(content.RequestId, content.Hops) ?? CheckOwnedFrom(content.OwnedFrom, space),
            FileUploadContent { Content: null or { Length: > FileContent.MaxLength } } => Invalid($"the content is missing or longer than {FileContent.MaxLength} bytes"),
            FileUploadContent { Sha256: var sha } when !FileDigest.IsWellFormed(sha) => Invalid("its SHA-256 is not 64 hex digits"),
            FileUploadContent upload when FileName.UnsafeReason(upload.Name) is { } reason => Invalid($"file name '{upload.Name}' is refused: {reason}"),
            NeighborsResponse neighbors => CheckList(neighbors.Successors, space, "successor") ?? CheckList(neighbors.Predecessors, space, "predecessor")
                ?? CheckDeaths(neighbors.Sender.Id, neighbors.Deaths, space) ?? CheckIncarnations(neighbors, space),
            IndirectPingRequest request when request.Target?.Id == request.Sender.Id => Invalid("the sender asks to be pinged itself"),
            IndirectPingRequest request => CheckContact(request.Target, space, "target"),
            IndirectPingAck ack => CheckContact(ack.Target, space, "target"),
            ILivenessGossip gossip => CheckDeaths(message.Sender.Id, gossip.Deaths, space),
            _ => null,
        };
    }

    /// <summary>
    /// What a message must satisfy whatever ring reads it: a sender whose id fits the sender's own id width and whose
    /// endpoint can be dialled, and known values where the type has a closed set. Enough for an <see cref="ErrorResponse"/>
    /// from another ring, which is passed on as it is.
    /// </summary>
    public static MessageProblem? CheckShape(Message message)
    {
        if (message.Sender is null)
            return Invalid("it names no sender");
        if (message.IdBits is < 1 or > IdSpace.MaxBits)
            return Invalid($"id width {message.IdBits} is not between 1 and {IdSpace.MaxBits}");
        if (!new IdSpace(message.IdBits).Contains(message.Sender.Id))
            return Invalid($"sender id {message.Sender.Id} does not fit in {message.IdBits} bits");
        if (!message.Sender.IsReachable(out var reason))
            return Invalid($"sender contact is unusable: {reason}");
        var problem = message switch
        {
            PingRequest { Indirect: true, Rank: not 0 } ping => $"an indirect ping has rank {ping.Rank}, not 0",
            PingRequest { Indirect: false, Rank: < 1 or > SuccessorList.MaxLength } ping => $"ping rank {ping.Rank} is not between 1 and {SuccessorList.MaxLength}",
            PingRequest { IntervalMs: < 0 or > PingRequest.MaxIntervalMilliseconds } ping =>
                $"ping interval {ping.IntervalMs} ms is not between 0 and {PingRequest.MaxIntervalMilliseconds}",
            ErrorResponse error when !Enum.IsDefined(error.Code) => $"error code {(int)error.Code} is unknown",
            ErrorResponse { Reason: null } => "the reason is missing",
            JoinRefused refused when !Enum.IsDefined(refused.Code) => $"error code {(int)refused.Code} is unknown",
            RouteAnswer answer when !Enum.IsDefined(answer.Outcome) => $"outcome {(int)answer.Outcome} is unknown",
            FileUpload upload when !Enum.IsDefined(upload.Purpose) => $"purpose {(int)upload.Purpose} is unknown",
            FileUpload { RequestId.Length: > MaxRequestIdLength } => $"the request id is longer than {MaxRequestIdLength} characters",
            FileUploadContent upload when !Enum.IsDefined(upload.Purpose) => $"purpose {(int)upload.Purpose} is unknown",
            FileUploadContent { RequestId.Length: > MaxRequestIdLength } => $"the request id is longer than {MaxRequestIdLength} characters",
            TakeOverOffer { Files: < 0 } offer => $"it offers {offer.Files} files",
            Acknowledgement { Copies: < 0 } ack => $"it counts {ack.Copies} copies",
            FetchRequest { SkipCopies: < 0 or > SuccessorList.MaxLength } or FetchRequest { ReplicaHops: < 0 or > SuccessorList.MaxLength } =>
                $"its copy counts are not between 0 and {SuccessorList.MaxLength}",
            DigestRequest { SkipCopies: < 0 or > SuccessorList.MaxLength } or DigestRequest { ReplicaHops: < 0 or > SuccessorList.MaxLength } =>
                $"its copy counts are not between 0 and {SuccessorList.MaxLength}",
            RouteAnswer { Sha256: { } sha } when !FileDigest.IsWellFormed(sha) => "its SHA-256 is not 64 hex digits",
            ClientRequest { TimeoutMilliseconds: < 1 or > ClientRequest.MaxTimeoutMilliseconds } client =>
                $"timeout {client.TimeoutMilliseconds} ms is not between 1 and {ClientRequest.MaxTimeoutMilliseconds}",
            ClientLookup lookup when (lookup.Name is null) == (lookup.Key is null) => "it must name either a file or a key",
            ClientFileDone done when done.Length < 0 || done.Hops < 0 || done.Replicas < 1 || done.Sha256 is not { Length: 64 } => "its length, hops, copies or SHA-256 is unusable",
            ClientLookupDone done when done.Owner is null || !done.Owner.IsReachable(out _) || done.Hops < 0 => "its owner or hop count is unusable",
            ClientFailure failure when !Enum.IsDefined(failure.Failure) => $"failure {(int)failure.Failure} is unknown",
            _ => null,
        };
        return problem is null ? null : Invalid(problem);
    }

    private static MessageProblem? CheckOwnedFrom(ulong? ownedFrom, IdSpace space) =>
        ownedFrom is { } from && !space.Contains(from)
            ? new MessageProblem(ErrorCode.IdOutOfRange, $"the owned range starts at {from}, outside the {space} (0..{space.MaxId}).")
            : null;

    private static MessageProblem? CheckList(IReadOnlyList<PeerContact>? contacts, IdSpace space, string role)
    {
        if (contacts is null)
            return Invalid($"the {role} list is missing");
        if (contacts.Count > MaxListedPeers)
            return Invalid($"{contacts.Count} {role}s listed; at most {MaxListedPeers} are allowed");
        foreach (var contact in contacts)
        {
            if (CheckContact(contact, space, role) is { } problem)
                return problem;
        }
        return null;
    }

    private static MessageProblem? CheckContact(PeerContact? contact, IdSpace space, string role)
    {
        if (contact is null)
            return Invalid($"the {role} is missing");
        if (!space.Contains(contact.Id))
            return Invalid($"{role} id {contact.Id} is outside the {space}");
        return contact.IsReachable(out var reason) ? null : Invalid($"{role} is unusable: {reason}");
    }

    /// <summary>Deaths: at most <see cref="MaxDeaths"/>, each of a peer in the ring other than the sender, each peer once.</summary>
    private static MessageProblem? CheckDeaths(ulong sender, IReadOnlyList<PeerIncarnation>? deaths, IdSpace space)
    {
        if (deaths is null)
            return null;
        if (deaths.Count > MaxDeaths)
            return Invalid($"{deaths.Count} deaths listed; at most {MaxDeaths} are allowed");
        return CheckIncarnationList(deaths, space, "death", id => id == sender ? "the sender declares itself dead" : null);
    }

    /// <summary>A neighbour answer's incarnations: only of peers it lists, each once.</summary>
    private static MessageProblem? CheckIncarnations(NeighborsResponse neighbors, IdSpace space)
    {
        if (neighbors.Incarnations is not { } incarnations)
            return null;
        var listed = neighbors.Successors.Concat(neighbors.Predecessors).Select(c => c.Id).ToHashSet();
        if (incarnations.Count > listed.Count)
            return Invalid($"{incarnations.Count} incarnations for {listed.Count} listed peers");
        return CheckIncarnationList(incarnations, space, "incarnation",
            id => listed.Contains(id) ? null : $"an incarnation is given for peer {id}, which it does not list");
    }

    private static MessageProblem? CheckIncarnationList(IReadOnlyList<PeerIncarnation> entries, IdSpace space, string role, Func<ulong, string?> refuse)
    {
        var seen = new HashSet<ulong>();
        foreach (var entry in entries)
        {
            if (entry is null)
                return Invalid($"a {role} entry is missing");
            if (!space.Contains(entry.Id))
                return Invalid($"{role} id {entry.Id} is outside the {space}");
            if (refuse(entry.Id) is { } reason)
                return Invalid(reason);
            if (!seen.Add(entry.Id))
                return Invalid($"peer {entry.Id} has more than one {role} entry");
        }
        return null;
    }

    /// <summary>No replica message lists more files than this (longest names and digests stay within a frame); an owner with more sends several.</summary>
    public const int MaxReplicaEntries = 128;

    private static MessageProblem? CheckReplicaRange(ulong after, IReadOnlyList<ReplicaEntry>? files, IdSpace space) =>
        !space.Contains(after) ? Invalid($"range start {after} is outside the {space}") : CheckEntries(files);

    private static MessageProblem? CheckEntries(IReadOnlyList<ReplicaEntry>? files)
    {
        if (files is null)
            return Invalid("the file list is missing");
        if (files.Any(f => f is null || f.Sha256 is not { Length: 64 }))
            return Invalid("a file entry or its SHA-256 is unusable");
        return CheckNames([.. files.Select(f => f.Name)]);
    }

    private static MessageProblem? CheckNames(IReadOnlyList<string>? names)
    {
        if (names is null)
            return Invalid("the file list is missing");
        if (names.Count > MaxReplicaEntries)
            return Invalid($"{names.Count} files listed; at most {MaxReplicaEntries} are allowed");
        return names.Select(name => FileName.UnsafeReason(name) is { } reason ? $"file name '{name}' is refused: {reason}" : null)
            .FirstOrDefault(reason => reason is not null) is { } problem ? Invalid(problem) : null;
    }

    private static MessageProblem? CheckFile(RoutedFileRequest request, IdSpace space)
    {
        if (FileName.UnsafeReason(request.Name) is { } reason)
            return Invalid($"file name '{request.Name}' is refused: {reason}");
        if (request.Key != FileKey.Of(request.Name, space))
            return Invalid($"key {request.Key} is not the key of '{request.Name}' in the {space}");
        return CheckRoute(request, space);
    }

    private static MessageProblem? CheckLookup(LookupRequest lookup, IdSpace space) =>
        space.Contains(lookup.Key)
            ? CheckRoute(lookup, space)
            : new MessageProblem(ErrorCode.IdOutOfRange, $"key {lookup.Key} is outside the {space} (0..{space.MaxId})");

    private static MessageProblem? CheckRoute(RoutedRequest request, IdSpace space) =>
        CheckRequestId(request.RequestId, request.Hops)
        ?? (request.Avoid is { } avoid && (avoid.Count > RoutedRequest.MaxAvoided || avoid.Any(id => !space.Contains(id)))
            ? Invalid($"its list of peers to avoid is unusable (at most {RoutedRequest.MaxAvoided} ids in the {space})")
            : null);

    private static MessageProblem? CheckRequestId(string? requestId, int hops) =>
        hops < 0 || string.IsNullOrEmpty(requestId) || requestId.Length > MaxRequestIdLength
            ? Invalid("the hop count or request id is unusable")
            : null;

    private static MessageProblem Invalid(string reason) => new(ErrorCode.Invalid, reason);
}
