using DhtPs.Core.Diagnostics;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Diagnostics;

/// <summary>
/// Test-DhtRing's file judgement on the SPEC's ring 2, 4, 5, 8, 9, 14, 19 (8-bit ids, r = 3): file 4103 has key 7, so
/// its holders are 8, 9 and 14.
/// </summary>
public sealed class RingFileCheckTests
{
    private static readonly IdSpace Space = new(8);
    private static readonly ulong[] Ring = [2, 4, 5, 8, 9, 14, 19];
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);

    private static ReplicaEntry Copy(long counter, string sha, bool removed = false) =>
        new() { Name = "4103", Sha256 = sha, Version = new FileVersion(counter, 2), Removed = removed };

    private static IReadOnlyList<RingFileCheck.MemberFiles> Survey(params (ulong Id, ReplicaEntry[] Files)[] holding) =>
        [.. Ring.Select(id => new RingFileCheck.MemberFiles(id, holding.FirstOrDefault(h => h.Id == id).Files ?? [], 3, null))];

    [Fact]
    public void Three_copies_of_the_latest_version_on_the_owner_and_the_next_two_are_healthy()
    {
        var (files, problems) = RingFileCheck.Judge(Survey((8, [Copy(3, ShaA)]), (9, [Copy(3, ShaA)]), (14, [Copy(3, ShaA)])), Space);

        var file = Assert.Single(files);
        Assert.Equal((7UL, 8UL, new FileVersion(3, 2)), (file.Key, file.Owner!.Value, file.Version));
        Assert.Equal([8UL, 9, 14], file.Expected);
        Assert.Equal([8UL, 9, 14], file.Holders);
        Assert.False(file.IsUnderReplicated);
        Assert.False(file.IsInconsistent);
        Assert.Empty(problems);
    }

    [Fact]
    public void A_holder_with_an_older_version_makes_the_file_under_replicated_and_inconsistent()
    {
        var (files, problems) = RingFileCheck.Judge(Survey((8, [Copy(3, ShaA)]), (9, [Copy(2, ShaB)]), (14, [Copy(3, ShaA)])), Space);

        var file = Assert.Single(files);
        Assert.Equal([8UL, 14], file.Holders);
        Assert.True(file.IsUnderReplicated);
        Assert.True(file.IsInconsistent);
        Assert.Equal([DhtRingProblemKind.UnderReplicated, DhtRingProblemKind.InconsistentCopies], problems.Select(p => p.Kind));
        Assert.Contains("peer 9 2.2/bbbbbbbbbbbb", problems[1].Message);
    }

    [Fact]
    public void A_copy_beyond_the_holders_is_inconsistent_even_when_every_holder_has_the_file()
    {
        var (_, problems) = RingFileCheck.Judge(Survey((8, [Copy(3, ShaA)]), (9, [Copy(3, ShaA)]), (14, [Copy(3, ShaA)]), (19, [Copy(3, ShaA)])), Space);

        Assert.Equal(DhtRingProblemKind.InconsistentCopies, Assert.Single(problems).Kind);
    }

    [Fact]
    public void A_removed_file_is_healthy_with_tombstones_only_and_inconsistent_while_an_older_copy_remains()
    {
        var tombstones = Survey((8, [Copy(4, FileDigest.Empty, removed: true)]), (9, [Copy(4, FileDigest.Empty, removed: true)]));
        var (files, problems) = RingFileCheck.Judge(tombstones, Space);
        Assert.True(Assert.Single(files).Removed);
        Assert.Empty(problems);

        var (_, stale) = RingFileCheck.Judge(Survey((8, [Copy(4, FileDigest.Empty, removed: true)]), (14, [Copy(3, ShaA)])), Space);
        Assert.Equal(DhtRingProblemKind.InconsistentCopies, Assert.Single(stale).Kind);
    }

    [Fact]
    public void A_member_that_does_not_list_its_files_is_a_problem_of_its_own()
    {
        var survey = Survey((8, [Copy(3, ShaA)]), (9, [Copy(3, ShaA)]), (14, [Copy(3, ShaA)]))
            .Select(m => m.PeerId == 5 ? m with { Problem = "Peer 5 did not list its files: refused", ReplicationFactor = 0 } : m).ToArray();

        var (_, problems) = RingFileCheck.Judge(survey, Space);

        var problem = Assert.Single(problems);
        Assert.Equal((DhtRingProblemKind.FilesUnlisted, (ulong?)5), (problem.Kind, problem.PeerId));
    }
}
