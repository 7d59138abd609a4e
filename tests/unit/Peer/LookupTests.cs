using DhtPs.Core.Peer;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>Lookups between real peers on loopback sockets: every answer is the true owner, with fingers or without.</summary>
public sealed class LookupTests : IAsyncLifetime
{
    // Slow enough that a loaded machine does not make peers declare live neighbours dead (a wrong successor list
    // gives wrong owners, fingers or not); fast enough that the fingers are fixed within a few seconds.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);
    private static readonly IdSpace Byte = new(8);
    private static readonly ulong[] Ids = [5, 40, 77, 100, 130, 170, 201, 250];

    private readonly List<PeerNode> _peers = [];

    public async Task InitializeAsync()
    {
        foreach (var id in Ids)
        {
            var peer = await PeerNode.StartAsync(new PeerOptions { ReplicationFactor = 1, Id = id, Port = 0, PingInterval = Interval });
            if (_peers.Count > 0)
                await peer.JoinAsync(new PeerLocator(_peers[0].Id, _peers[0].Contact.ToEndPoint()), TimeSpan.FromSeconds(5));
            _peers.Add(peer);
        }
        await Eventually.Holds(() => _peers.All(p => p.Snapshot.Successors.SequenceEqual(TrueSuccessors(p.Id))), "every successor list is right");
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
            await peer.StopAsync();
    }

    private static ulong[] TrueSuccessors(ulong id)
    {
        var at = Array.IndexOf(Ids, id);
        return [Ids[(at + 1) % Ids.Length], Ids[(at + 2) % Ids.Length]];
    }

    private static ulong TrueOwner(ulong key) => Byte.SuccessorOf(key, Ids);

    private static ulong?[] TrueFingers(ulong id) =>
        Enumerable.Range(0, Byte.Bits).Select(i => (ulong?)TrueOwner(Byte.Reduce(id + (1UL << i)))).ToArray();

    /// <summary>Every 5th key, looked up from every peer, all at once.</summary>
    private async Task<DhtLookup[]> LookUpSampleAsync()
    {
        var lookups = from peer in _peers
                      from key in Enumerable.Range(0, 256).Where(k => k % 5 == 0)
                      select peer.LookupAsync((ulong)key, LookupTimeout);
        var answers = await Task.WhenAll(lookups);
        Assert.All(answers, a => Assert.Equal(TrueOwner(a.Key), a.Owner.Id));
        Assert.All(answers, a => Assert.Equal(_peers.Single(p => p.Id == a.Owner.Id).Contact, a.Owner));
        return answers;
    }

    [Fact]
    public async Task Every_lookup_finds_the_true_owner_and_once_the_fingers_are_fixed_in_few_hops()
    {
        await LookUpSampleAsync();

        await Eventually.Holds(() => _peers.All(p => p.Snapshot.Fingers.Select(f => f?.Id).SequenceEqual(TrueFingers(p.Id))),
            "every finger table is exact", timeoutSeconds: 30);
        var answers = await LookUpSampleAsync();
        // Each forward at least halves the distance left, plus one hop to the owner: log2(8) + 1.
        Assert.True(answers.Max(a => a.Hops) <= 4, $"hops up to {answers.Max(a => a.Hops)}");
    }

    [Fact]
    public async Task A_lookup_of_a_key_outside_the_id_space_is_refused_at_once()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _peers[0].LookupAsync(256, LookupTimeout));
    }

    [Fact]
    public async Task After_a_peer_crashes_its_keys_are_found_at_its_successor_past_the_dead_fingers_and_successor()
    {
        await Eventually.Holds(() => _peers.All(p => p.Snapshot.Fingers.All(f => f is not null)), "every finger is known", timeoutSeconds: 30);
        var crashed = _peers.Single(p => p.Id == 130);
        await crashed.StopAsync();
        _peers.Remove(crashed);
        var live = Ids.Where(id => id != 130).ToArray();

        var answers = await Task.WhenAll(_peers.Select(p => p.LookupAsync(150, LookupTimeout)));

        Assert.All(answers, a => Assert.Equal(Byte.SuccessorOf(150, live), a.Owner.Id));
    }
}
