using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Protocol;

/// <summary>What is wrong with a well-formed message whose contents a peer of <see cref="IdSpace"/> cannot use.</summary>
public readonly record struct MessageProblem(ErrorCode Code, string Reason);

/// <summary>
/// Checks what arrives before a peer acts on it: ids inside the id space, usable endpoints,
/// peer lists of a sane length. A message that fails is dropped and counted, never acted on.
/// </summary>
public static class MessageValidator
{
    /// <summary>
    /// No message lists more peers than this: the longest successor list a peer may keep, plus the sender itself
    /// (a successor change lists the acceptor before its successors). Any successor count up to that is on the wire.
    /// </summary>
    public const int MaxListedPeers = SuccessorList.MaxLength + 1;

    /// <summary>Request ids are short tokens chosen by the origin.</summary>
    public const int MaxRequestIdLength = 64;

    public static MessageProblem? Validate(Message message, IdSpace space)
    {
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
            RouteAnswer answer => CheckRequestId(answer.RequestId, answer.Hops),
            NeighborsResponse neighbors => CheckList(neighbors.Successors, space, "successor") ?? CheckList(neighbors.Predecessors, space, "predecessor"),
            _ => null,
        };
    }

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

    private static MessageProblem? CheckFile(RoutedFileRequest request, IdSpace space)
    {
        if (FileName.UnsafeReason(request.Name) is { } reason)
            return Invalid($"file name '{request.Name}' is refused: {reason}");
        if (request.Key != FileKey.Of(request.Name, space))
            return Invalid($"key {request.Key} is not the key of '{request.Name}' in the {space}");
        return CheckRequestId(request.RequestId, request.Hops);
    }

    private static MessageProblem? CheckLookup(LookupRequest lookup, IdSpace space) =>
        space.Contains(lookup.Key)
            ? CheckRequestId(lookup.RequestId, lookup.Hops)
            : new MessageProblem(ErrorCode.IdOutOfRange, $"key {lookup.Key} is outside the {space} (0..{space.MaxId})");

    private static MessageProblem? CheckRequestId(string? requestId, int hops) =>
        hops < 0 || string.IsNullOrEmpty(requestId) || requestId.Length > MaxRequestIdLength
            ? Invalid("the hop count or request id is unusable")
            : null;

    private static MessageProblem Invalid(string reason) => new(ErrorCode.Invalid, reason);
}
