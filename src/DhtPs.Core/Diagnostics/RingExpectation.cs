namespace DhtPs.Core.Diagnostics;

/// <summary>
/// What a ring should look like (Wait-DhtRing -Members, -Count, -Healthy): a consistent ring of these members,
/// a consistent ring of so many members, or a ring Test-DhtRing finds healthy.
/// </summary>
public sealed record RingExpectation
{
    private RingExpectation(IReadOnlyList<ulong>? members, int? count)
    {
        Members = members;
        Count = count;
    }

    /// <summary>The members expected, in identifier order; null when any members will do.</summary>
    public IReadOnlyList<ulong>? Members { get; }

    /// <summary>The number of members expected; null when any number will do.</summary>
    public int? Count { get; }

    public static RingExpectation OfMembers(IEnumerable<ulong> ids) => new([.. ids.Distinct().Order()], null);

    public static RingExpectation OfCount(int count) =>
        count >= 1 ? new(null, count) : throw new ArgumentOutOfRangeException(nameof(count), count, "A ring has at least one member.");

    public static RingExpectation Healthy { get; } = new(null, null);

    public string Description => Members is { } ids
        ? $"the ring {RingComparison.List(ids)}"
        : Count is { } n ? $"a consistent ring of {n} member{(n == 1 ? "" : "s")}" : "a healthy ring";

    /// <summary>Holds <paramref name="report"/> (and the walk it came from) against this expectation.</summary>
    public RingComparison Evaluate(DhtRingReport report)
    {
        var ids = Members ?? report.MemberIds;
        var extra = new List<DhtRingProblem>();
        if (Count is { } n && report.Members.Count != n)
            extra.Add(new(DhtRingProblemKind.MemberCount, null, $"The ring has {report.Members.Count} members; expected {n}."));
        // A healthy ring also passes whatever Test-DhtRing checks beyond the ring's structure.
        if (Members is null && Count is null)
            extra.AddRange(report.Problems.Except(RingComparison.Compare(ids, report.Walk).Differences));
        return RingComparison.Compare(ids, report.Walk, extraDifferences: extra);
    }
}
