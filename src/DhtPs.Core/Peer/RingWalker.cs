using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>The members a ring walk found, in ring order, and whether it came back to where it started.</summary>
public sealed record RingWalk(IReadOnlyList<DhtRingMember> Members, bool Closed, string? Problem);

/// <summary>
/// Walks a ring over the network: asks each member for its neighbours and follows first successors
/// until the walk is back at its start. Needs only a transport, so it works across processes and hosts.
/// </summary>
public static class RingWalker
{
    /// <summary>No walk visits more members than this.</summary>
    public const int MaxMembers = 4096;

    public static async Task<RingWalk> WalkAsync(
        IPeerTransport transport, PeerContact asker, IdSpace space, IPEndPoint start, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var members = new List<DhtRingMember>();
        var next = start;
        while (members.Count < MaxMembers)
        {
            Message reply;
            try
            {
                reply = await transport.RequestAsync(next, new NeighborsRequest { Sender = asker, IdBits = space.Bits }, timeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (TransportException e)
            {
                return new RingWalk(members, false, e.Message);
            }
            if (reply is ErrorResponse error)
                return new RingWalk(members, false, $"Peer at {next} refused: {error.Reason}");
            // The transport's ingest point validated the answer; it may still be the wrong kind.
            if (reply is not NeighborsResponse neighbors)
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

    /// <summary>Walks a ring from outside it, on a throwaway socket (no local peer needed).</summary>
    public static async Task<RingWalk> WalkFromOutsideAsync(
        IPEndPoint start, IdSpace space, TimeSpan timeout, INetwork? network = null, CancellationToken cancellationToken = default, WireCodec? codec = null)
    {
        var local = new IPEndPoint(start.Address.Equals(IPAddress.Loopback) ? IPAddress.Loopback : IPAddress.Any, 0);
        await using var transport = await (network ?? SocketNetwork.Instance).BindAsync(local, new Ingest(codec ?? WireCodec.Open, new IgnoreEverything(space)), cancellationToken)
            .ConfigureAwait(false);
        // Contacts are unicast: the walker names the address it reaches the ring from, not the wildcard it listens on.
        var asker = new PeerContact(0, SourceAddressTowards(start, local.Address).ToString(), transport.LocalEndPoint.Port);
        return await WalkAsync(transport, asker, space, start, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The local address the system routes to <paramref name="target"/> from (connecting a UDP socket sends nothing).</summary>
    private static IPAddress SourceAddressTowards(IPEndPoint target, IPAddress bound)
    {
        if (PeerContact.NotUnicast(bound) is null)
            return bound;
        try
        {
            using var probe = new System.Net.Sockets.Socket(target.AddressFamily, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            probe.Connect(target);
            return ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return IPAddress.Loopback; // No route: the walk fails at its first request anyway.
        }
    }

    /// <summary>The throwaway socket of an outside walk is nobody's peer: it answers nothing.</summary>
    private sealed class IgnoreEverything(IdSpace space) : ITransportHandler
    {
        public IdSpace Space { get; } = space;

        public void OnDatagram(IPEndPoint from, uint sequence, Message message)
        {
        }

        public Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken) =>
            Task.FromException<Message>(new InvalidOperationException("A ring walker takes no requests."));

        public Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken) => Task.CompletedTask;

        public Message? OnRefused(IPEndPoint from, InputRefusal refusal) => null;
    }
}
