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
}
