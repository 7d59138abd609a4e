using DhtPs.Core.Peer;

namespace DhtPs.Interactive;

/// <summary>The lines the peer console prints besides the commands' own results.</summary>
public static class ConsoleText
{
    /// <summary>Events are printed as the original program printed them, after its "> " prefix.</summary>
    public static string Event(DhtEvent raised) => "> " + raised.Message;

    public static string Banner(DhtPeer peer) =>
        $"Peer {peer.Id} at {peer.EndPoint}. Type Store <name>, Request <name>, Ring, Help or Quit.";

    public static IReadOnlyList<string> Help { get; } =
    [
        "Commands (case-insensitive):",
        "  Store <name>    store a file of the current directory in the ring",
        "  Request <name>  fetch a file from the ring into the current directory",
        "  Ring            walk the ring from this peer and list its members",
        "  Help            show these commands",
        "  Quit            leave the ring gracefully and stop this peer",
    ];

    public static IEnumerable<string> Ring(ulong from, RingWalk walk)
    {
        yield return $"Ring walked from Peer {from}: {walk.Members.Count} peer{(walk.Members.Count == 1 ? "" : "s")}";
        foreach (var member in walk.Members)
        {
            yield return $"  Peer {member.Id} at {member.EndPoint}: successors {List(member.Successors)}; predecessors {List(member.Predecessors)}";
        }
        if (walk.Members.Count == 0)
            yield return $"The ring walk could not start: {walk.Problem}";
        else if (!walk.Closed)
            yield return $"The ring walk did not come back to its start: {walk.Problem}";
    }

    private static string List(IReadOnlyList<ulong> ids) => ids.Count == 0 ? "none" : string.Join(", ", ids);
}
