using DhtPs.Core.Peer;

namespace DhtPs.Core.Diagnostics;

/// <summary>
/// Test-DhtRing's checks over one walk: the walk closes, visits the members in identifier order, and every member's
/// successors and predecessors (from its own neighbour answer) are the next and previous members walked.
/// </summary>
public static class RingHealthCheck
{
    public static DhtRingReport Inspect(RingWalk walk, string start, DateTimeOffset time)
    {
        var problems = RingComparison.Compare(walk.Members.Select(m => m.Id), walk).Differences;
        return new DhtRingReport(start, time, walk.Members, walk.Closed, walk.Problem, problems);
    }

    /// <summary>The walk's checks and the file checks over what its members listed (<see cref="RingFileCheck"/>).</summary>
    public static DhtRingReport Inspect(RingWalk walk, string start, DateTimeOffset time, IReadOnlyList<RingFileCheck.MemberFiles> survey, Ring.IdSpace space)
    {
        var report = Inspect(walk, start, time);
        var (files, problems) = RingFileCheck.Judge(survey, space);
        return report with { Problems = [.. report.Problems, .. problems], Files = files };
    }
}
