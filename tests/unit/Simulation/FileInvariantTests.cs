using DhtPs.Core.Peer;
using DhtPs.Simulation.Files;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>The file invariant on hand-built rings and stores: it passes a correct placement and names each broken one.</summary>
public sealed class FileInvariantTests
{
    private static readonly ulong[] Members = [2, 4, 5, 8, 9, 14, 19];
    private static readonly byte[] Content = [1, 2, 3];

    private static TrackedFile File(string name, ulong key, params ulong[] membersWhenStored) =>
        new(name, key, Content, Origin: 2, (membersWhenStored.Length == 0 ? Members : membersWhenStored).ToHashSet());

    private static FileCheck Check(IEnumerable<TrackedFile> stored, Dictionary<(ulong Peer, string Name), byte[]> held, params ulong[] joined) =>
        FileInvariant.Check(Members, stored, (peer, name) => held.GetValueOrDefault((peer, name)), joined.Contains);

    [Fact]
    public void The_owner_is_the_first_member_at_or_after_the_key_wrapping_past_the_top()
    {
        Assert.Equal(8UL, FileInvariant.OwnerOf(6, Members));
        Assert.Equal(8UL, FileInvariant.OwnerOf(8, Members));
        Assert.Equal(2UL, FileInvariant.OwnerOf(20, Members));
        Assert.Equal(2UL, FileInvariant.OwnerOf(0, Members));
    }

    [Fact]
    public void Ring_members_are_the_live_peers_on_the_cycle_of_best_successors()
    {
        DhtPeer Peer(ulong id, params ulong[] successors) =>
            new(id, 8, System.Net.IPEndPoint.Parse($"10.0.0.{id}:12000"), PeerStatus.Running, [], successors, TimeSpan.FromSeconds(1), [], [], 0, default);
        // 7 has crashed; 5 is an appendage: 4 skipped it (it lists 5 only second), and it points on to 2.
        IReadOnlyList<DhtPeer> live = [Peer(2, 7, 4), Peer(4, 9, 5), Peer(5, 9, 2), Peer(9, 2, 4)];
        Assert.Equal([2UL, 4UL, 9UL], FileInvariant.Members(live));
    }

    [Fact]
    public void Files_held_byte_identical_by_their_owners_pass()
    {
        var check = Check([File("a", 6), File("b", 20)], new() { [(8, "a")] = Content, [(2, "b")] = [1, 2, 3] });
        Assert.Empty(check.Violations);
        Assert.Equal(0, check.AwaitingTakeOver);
    }

    [Fact]
    public void A_file_at_a_peer_other_than_its_owner_breaks_the_invariant()
    {
        // Stored while 8 was a member, yet held by 9: a misrouted store or a hand-off that went astray.
        var check = Check([File("a", 6)], new() { [(9, "a")] = Content });
        Assert.Equal([new InvariantViolation(FileInvariant.Name, "File a (key 6) is not at peer 8, which owns its key and did so when it was stored")], check.Violations);
    }

    [Fact]
    public void A_file_whose_owner_holds_other_bytes_breaks_the_invariant()
    {
        var check = Check([File("a", 6)], new() { [(8, "a")] = [1, 2, 4] });
        Assert.Equal([new InvariantViolation(FileInvariant.Name, "peer 8 holds File a (key 6) with 3 bytes that differ from the 3 stored")], check.Violations);
    }

    [Fact]
    public void Files_the_ring_changed_around_are_counted_and_a_lost_file_is_not_checked()
    {
        var ownerCameLater = File("a", 6, 2, 4, 5, 9, 14, 19); // 8 was no member: the store went to 9
        var sentFromOffTheRing = File("c", 13) with { Origin = 3 }; // 3 was an appendage, its successor 19
        var lost = File("b", 20) with { IsLost = true };
        var check = Check([ownerCameLater, sentFromOffTheRing, lost], new() { [(9, "a")] = Content, [(19, "c")] = Content });
        Assert.Empty(check.Violations);
        Assert.Equal(2, check.AwaitingTakeOver);
    }

    [Fact]
    public void A_file_whose_owner_joined_after_the_store_must_have_been_taken_over()
    {
        var ownerJoinedLater = File("a", 6, 2, 4, 5, 9, 14, 19); // 8 joined after the store went to 9
        var check = Check([ownerJoinedLater], new() { [(9, "a")] = Content }, joined: 8);
        Assert.Equal([new InvariantViolation(FileInvariant.Name, "File a (key 6) is not at peer 8, which owns its key and should have taken it over when it joined")], check.Violations);
        Assert.Empty(Check([ownerJoinedLater], new() { [(8, "a")] = Content }, joined: 8).Violations);
    }
}
