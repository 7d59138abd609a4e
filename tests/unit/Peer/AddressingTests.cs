using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>Where peers bind and what they advertise: IPv6, wildcards, and the two kept apart.</summary>
public sealed class AddressingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static PeerOptions Options(ulong id, string address, string? advertise = null) =>
        new() { Id = id, Address = address, AdvertiseAddress = advertise, Port = 0, PingInterval = TimeSpan.FromMilliseconds(300) };

    [Fact]
    public async Task Two_peers_on_IPv6_loopback_form_a_ring_and_name_themselves_in_brackets()
    {
        await using var a = await PeerNode.StartAsync(Options(10, "::1"));
        await using var b = await PeerNode.StartAsync(Options(20, "::1"));
        await b.JoinAsync(new PeerLocator(a.Id, a.Contact.ToEndPoint()), Patience);
        await Eventually.Holds(() => a.Snapshot.Successors.SequenceEqual([20UL]) && a.Snapshot.Predecessors.SequenceEqual([20UL])
                                     && b.Snapshot.Predecessors.SequenceEqual([10UL]), "both pinged each other over IPv6");
        Assert.Matches(@"^\[::1\]:\d+$", a.Contact.EndPoint);
        var walk = await RingWalker.WalkFromOutsideAsync(b.Contact.ToEndPoint(), new IdSpace(8), Patience);
        Assert.True(walk.Closed, walk.Problem);
        Assert.Equal([20UL, 10UL], walk.Members.Select(m => m.Id));
    }

    [Fact]
    public async Task A_peer_bound_to_every_address_is_reached_at_the_address_it_advertises_and_answers_IPv4_pings()
    {
        await using var everywhere = await PeerNode.StartAsync(Options(10, "::", advertise: "127.0.0.1"));
        await using var v4 = await PeerNode.StartAsync(Options(20, "127.0.0.1"));
        Assert.Equal($"127.0.0.1:{everywhere.Contact.Port}", everywhere.Contact.EndPoint);
        await v4.JoinAsync(new PeerLocator(null, everywhere.Contact.ToEndPoint()), Patience);
        await Eventually.Holds(() => everywhere.Snapshot.Predecessors.SequenceEqual([20UL]) && v4.Snapshot.Predecessors.SequenceEqual([10UL]),
            "pings crossed both ways between the dual-stack socket and the IPv4 one");
        // The same socket also takes IPv6.
        var walk = await RingWalker.WalkFromOutsideAsync(new IPEndPoint(IPAddress.IPv6Loopback, everywhere.Contact.Port), new IdSpace(8), Patience);
        Assert.True(walk.Closed, walk.Problem);
    }

    [Theory]
    [InlineData("0.0.0.0", null, "AdvertiseAddress")]
    [InlineData("::", null, "AdvertiseAddress")]
    [InlineData("127.0.0.1", "0.0.0.0", "AdvertiseAddress")]
    [InlineData("127.0.0.1", "::1", "AdvertiseAddress")]
    [InlineData("127.0.0.1", "somewhere.example", "AdvertiseAddress")]
    [InlineData("localhost", null, "Address")]
    public void A_contact_no_one_can_dial_is_refused_before_anything_binds(string address, string? advertise, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Options(1, address, advertise).Validate());
        Assert.Equal(parameter, error.ParamName);
    }
}
