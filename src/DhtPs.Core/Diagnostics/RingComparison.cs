using System.Text;
using DhtPs.Core.Peer;

namespace DhtPs.Core.Diagnostics;

/// <summary>The neighbours a member of a consistent ring lists: the next and the previous members, nearest first.</summary>
public sealed record ExpectedMember(ulong Id, IReadOnlyList<ulong> Successors, IReadOnlyList<ulong> Predecessors);

/// <summary>
/// A ring as the network described it, held against the ring it should be, peer by peer.
/// <see cref="SideBySide"/> is the text a failed wait or assertion shows.
/// </summary>
public sealed class RingComparison
{
    /// <summary>
    /// The original program's list lengths: two successors, two predecessors (SPEC §3). A walk whose members list
    /// more (a longer successor list) is held to its longest lists instead.
    /// </summary>
    public const int OriginalListLength = 2;

    private RingComparison(IReadOnlyList<ExpectedMember> expected, IReadOnlyList<DhtRingMember> actual, IReadOnlyList<DhtRingProblem> differences)
    {
        Expected = expected;
        Actual = actual;
        Differences = differences;
    }

    /// <summary>The ring it should be, in identifier order.</summary>
    public IReadOnlyList<ExpectedMember> Expected { get; }

    /// <summary>The members walked, in the order of the walk.</summary>
    public IReadOnlyList<DhtRingMember> Actual { get; }

    /// <summary>What differs, the ring as a whole first, then peer by peer in identifier order.</summary>
    public IReadOnlyList<DhtRingProblem> Differences { get; }

    public bool Matches => Differences.Count == 0;

    /// <summary>
    /// Compares a walk with the ring of <paramref name="expectedIds"/>: the same members, in identifier order,
    /// each listing the next and previous members as successors and predecessors.
    /// </summary>
    /// <param name="successorLength">How many successors each member keeps; at least the walk's longest list.</param>
    /// <param name="extraDifferences">Differences found elsewhere (a member count, file checks), listed after the ring's own.</param>
    public static RingComparison Compare(
        IEnumerable<ulong> expectedIds, RingWalk walk, int successorLength = OriginalListLength, IEnumerable<DhtRingProblem>? extraDifferences = null)
    {
        var actual = walk.Members;
        successorLength = Math.Max(successorLength, actual.Select(m => m.Successors.Count).DefaultIfEmpty(0).Max());
        var predecessorLength = Math.Max(OriginalListLength, actual.Select(m => m.Predecessors.Count).DefaultIfEmpty(0).Max());
        var expected = Expect(expectedIds, successorLength, predecessorLength);
        var differences = new List<DhtRingProblem>();

        if (!walk.Closed)
            differences.Add(new(DhtRingProblemKind.WalkIncomplete, actual.LastOrDefault()?.Id, actual.LastOrDefault() switch
            {
                null => $"The walk reached no member: {walk.Problem}",
                { Successors.Count: > 0 } last => $"The walk stopped after peer {last.Id}, at its first successor, peer {last.Successors[0]}: {walk.Problem}",
                var last => $"The walk stopped after peer {last.Id}: {walk.Problem}",
            }));
        var walked = actual.Select(m => m.Id).ToArray();
        if (!IsIdentifierOrder(walked))
            differences.Add(new(DhtRingProblemKind.OutOfOrder, null,
                $"The walk visited {List(walked)}: not in identifier order."));

        var byId = actual.GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.First());
        var expectedById = expected.ToDictionary(e => e.Id);
        foreach (var id in expectedById.Keys.Union(byId.Keys).Order())
        {
            var isExpected = expectedById.TryGetValue(id, out var should);
            var isWalked = byId.TryGetValue(id, out var member);
            if (!isWalked)
                differences.Add(new(DhtRingProblemKind.MissingMember, id, walk.Closed
                    ? $"Peer {id} is not on the ring."
                    : $"Peer {id} was not reached."));
            else if (!isExpected)
                differences.Add(new(DhtRingProblemKind.UnexpectedMember, id, $"Peer {id} is on the ring but was not expected."));
            else
            {
                if (!member!.Successors.SequenceEqual(should!.Successors))
                    differences.Add(new(DhtRingProblemKind.SuccessorMismatch, id,
                        $"Peer {id} lists successors {List(member.Successors)}; expected {List(should.Successors)}."));
                if (!member.Predecessors.SequenceEqual(should.Predecessors))
                    differences.Add(new(DhtRingProblemKind.PredecessorMismatch, id,
                        $"Peer {id} lists predecessors {List(member.Predecessors)}; expected {List(should.Predecessors)}."));
            }
        }
        differences.AddRange(extraDifferences ?? []);
        return new RingComparison(expected, actual, differences);
    }

    /// <summary>The consistent ring of these ids: each lists the next and the previous ids, as far as the ring has others.</summary>
    public static IReadOnlyList<ExpectedMember> Expect(IEnumerable<ulong> ids, int successorLength = OriginalListLength, int predecessorLength = OriginalListLength)
    {
        var ring = ids.Distinct().Order().ToArray();
        var n = ring.Length;
        return ring.Select((id, i) => new ExpectedMember(id,
            Enumerable.Range(1, Math.Min(successorLength, n - 1)).Select(k => ring[(i + k) % n]).ToArray(),
            Enumerable.Range(1, Math.Min(predecessorLength, n - 1)).Select(k => ring[(i - k + n) % n]).ToArray())).ToArray();
    }

    /// <summary>
    /// The expected and the walked ring in two columns, one row per peer, a '*' on the rows that differ,
    /// then every difference in words.
    /// </summary>
    public string SideBySide()
    {
        const string none = "-";
        var byId = Actual.GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.First());
        var expectedById = Expected.ToDictionary(e => e.Id);
        var rows = expectedById.Keys.Union(byId.Keys).Order().Select(id =>
        {
            var should = expectedById.TryGetValue(id, out var e) ? Neighbours(e.Successors, e.Predecessors) : "(not expected)";
            var actual = byId.TryGetValue(id, out var m) ? Neighbours(m.Successors, m.Predecessors) : "(not on the ring)";
            var differs = Differences.Any(d => d.PeerId == id && d.Kind != DhtRingProblemKind.WalkIncomplete);
            return (Mark: differs ? "*" : " ", Id: id.ToString(), Expected: should, Actual: actual);
        }).ToList();

        const string expectedHeader = "expected: successors | predecessors";
        const string actualHeader = "actual: successors | predecessors";
        var idWidth = Math.Max(4, rows.Select(r => r.Id.Length).DefaultIfEmpty(0).Max());
        var width = Math.Max(expectedHeader.Length, rows.Select(r => r.Expected.Length).DefaultIfEmpty(0).Max());
        var text = new StringBuilder();
        text.AppendLine($"  {"peer".PadLeft(idWidth)}  {expectedHeader.PadRight(width)}  {actualHeader}");
        foreach (var row in rows)
            text.AppendLine($"{row.Mark} {row.Id.PadLeft(idWidth)}  {row.Expected.PadRight(width)}  {row.Actual}");
        if (rows.Count == 0)
            text.AppendLine($"  {none.PadLeft(idWidth)}  (no members)");
        text.AppendLine($"Walked in order: {(Actual.Count == 0 ? "nothing" : List(Actual.Select(m => m.Id)))}.");
        foreach (var difference in Differences)
            text.AppendLine($"- {difference.Message}");
        return text.ToString().TrimEnd();
    }

    /// <summary>Null when a peer lists exactly the successors expected; otherwise what differs, position by position.</summary>
    public static string? DescribeSuccessors(ulong peer, IReadOnlyList<ulong> actual, IReadOnlyList<ulong> expected)
    {
        if (actual.SequenceEqual(expected))
            return null;
        var positions = Enumerable.Range(0, Math.Max(actual.Count, expected.Count))
            .Where(i => i >= actual.Count || i >= expected.Count || actual[i] != expected[i])
            .Select(i => $"successor {i + 1} is {(i < actual.Count ? $"{actual[i]}" : "missing")}, not {(i < expected.Count ? $"{expected[i]}" : "there")}");
        return $"peer {peer} lists successors {Or(List(actual))}: {string.Join("; ", positions)}";
    }

    private static string Neighbours(IEnumerable<ulong> successors, IEnumerable<ulong> predecessors) =>
        $"{Or(List(successors))} | {Or(List(predecessors))}";

    private static string Or(string list) => list.Length == 0 ? "none" : list;

    public static string List(IEnumerable<ulong> ids) => string.Join(", ", ids);

    /// <summary>A walk in ring order visits ascending ids with at most one wrap past the top.</summary>
    private static bool IsIdentifierOrder(IReadOnlyList<ulong> walked)
    {
        var descents = 0;
        for (var i = 0; i < walked.Count; i++)
            if (walked[(i + 1) % walked.Count] <= walked[i] && walked.Count > 1)
                descents++;
        return descents <= 1;
    }
}
