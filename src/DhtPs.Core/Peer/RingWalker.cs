using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>The members a ring walk found, in ring order, and whether it came back to where it started.</summary>
public sealed record RingWalk(IReadOnlyList<DhtRingMember> Members, bool Closed, string? Problem)
{
    /// <summary>The id width of the ring, when a member refused the walk for asking in another width.</summary>
    public int? RingWidth { get; init; }

    /// <summary>True when the walk stopped at a member that refused its authentication (another ring secret, or none).</summary>
    public bool AuthenticationRefused { get; init; }

    /// <summary>The id width the walk asked in (the ring's, once a member of another width said so).</summary>
    public int IdBits { get; init; }
}

/// <summary>
/// Walks a ring over the network: asks each member for its neighbours and follows first successors
/// until the walk is back at its start. Needs only outgoing connections, so it works across processes and hosts.
/// </summary>
public static class RingWalker
{
    /// <summary>No walk visits more members than this.</summary>
    public const int MaxMembers = 4096;

    public static async Task<RingWalk> WalkAsync(
        IPeerTransport transport, PeerContact asker, IdSpace space, IPEndPoint start, TimeSpan timeout, CancellationToken cancellationToken) =>
        await WalkAsync(next => transport.RequestAsync(next, new NeighborsRequest { Sender = asker, IdBits = space.Bits }, timeout, cancellationToken),
            space, start).ConfigureAwait(false) with { IdBits = space.Bits };

    /// <summary>
    /// Walks a ring from outside it, as a client: each question on a connection of its own, no socket listening.
    /// A start that belongs to a ring of another id width says so, and the walk starts again in that width.
    /// </summary>
    public static async Task<RingWalk> WalkFromOutsideAsync(IPEndPoint start, IdSpace space, TimeSpan timeout, CancellationToken cancellationToken = default,
        WireCodec? codec = null)
    {
        Func<IPEndPoint, Task<Message>> Ask(IdSpace width) => next =>
            OutboundConnection.RequestAsync(next, self => new NeighborsRequest { Sender = self, IdBits = width.Bits }, timeout, cancellationToken, codec);
        var walk = await WalkAsync(Ask(space), space, start).ConfigureAwait(false) with { IdBits = space.Bits };
        return walk.RingWidth is { } width && width != space.Bits && walk.Members.Count == 0
            ? await WalkAsync(Ask(new IdSpace(width)), new IdSpace(width), start).ConfigureAwait(false) with { IdBits = width }
            : walk;
    }

    /// <summary>Follows first successors from <paramref name="start"/>, asking each member for its neighbours with <paramref name="ask"/>.</summary>
    private static async Task<RingWalk> WalkAsync(Func<IPEndPoint, Task<Message>> ask, IdSpace space, IPEndPoint start)
    {
        var members = new List<DhtRingMember>();
        var next = start;
        while (members.Count < MaxMembers)
        {
            Message reply;
            try
            {
                reply = await ask(next).ConfigureAwait(false);
            }
            catch (TransportException e)
            {
                return new RingWalk(members, false, e.Message) { AuthenticationRefused = e is DhtAuthenticationException };
            }
            if (reply is ErrorResponse error)
                return new RingWalk(members, false, $"Peer at {next} refused: {error.Reason}")
                    { RingWidth = error.Code == ErrorCode.IdBitsMismatch ? error.IdBits : null };
            if (reply is not NeighborsResponse neighbors || MessageValidator.Validate(reply, space) is not null)
                return new RingWalk(members, false, $"Peer at {next} sent an invalid answer.");

            var id = neighbors.Sender.Id;
            if (members.Any(m => m.Id == id))
            {
                return id == members[0].Id
                    ? new RingWalk(members, true, null)
                    : new RingWalk(members, false, $"Peer {id} was reached twice: the walk started off the ring's cycle.");
            }
            members.Add(new DhtRingMember(id, neighbors.Sender.ToEndPoint(),
                neighbors.Successors.Select(s => s.Id).ToArray(), neighbors.Predecessors.Select(p => p.Id).ToArray()));
            if (neighbors.Successors.Count == 0)
                return members.Count == 1
                    ? new RingWalk(members, true, null) // A ring of one.
                    : new RingWalk(members, false, $"Peer {id} has no successor.");
            next = neighbors.Successors[0].ToEndPoint();
        }
        return new RingWalk(members, false, $"The walk stopped after {MaxMembers} members.");
    }
}
