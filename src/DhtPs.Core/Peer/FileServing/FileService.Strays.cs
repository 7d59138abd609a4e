using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// Stray copies (protocol.md 8.8): copies this peer holds for nobody, by its own predecessors (all r known). An owner that
/// took itself for one, a restart or a partition left them, and no release reached them. Each goes to its owner, and is
/// dropped here once the owner holds it.
/// </summary>
internal sealed partial class FileService
{
    /// <summary>A replication pass looks up at most this many owners behind this peer's predecessors.</summary>
    private const int StrayOwnerLookupsPerPass = 8;

    /// <summary>The strays of one pass: those whose owner is on the successor list, with it; the others' names.</summary>
    private sealed record Strays((string Name, PeerContact Owner)[] ToSuccessors, string[] Behind)
    {
        public static readonly Strays None = new([], []);
    }

    /// <summary>
    /// The strays among <paramref name="held"/>. A key within the successor list has its owner there. Any other lies before
    /// the r-th predecessor, and its owner is looked up (<see cref="HandBackStraysBehindAsync"/>).
    /// </summary>
    private Strays FindStrays(IReadOnlyList<string> held)
    {
        if (_neighborhood.Predecessors.Count < _options.ReplicationFactor)
            return Strays.None;
        var roles = Roles();
        var successors = _neighborhood.LiveSuccessors;
        var toSuccessors = new List<(string, PeerContact)>();
        var behind = new List<string>();
        foreach (var name in held)
        {
            var key = FileKey.Of(name, Space);
            if (roles.Of(key) is not DhtStoredFileRole.Stray)
                continue;
            // The list runs clockwise: the first successor past the key owns it.
            if (successors.FirstOrDefault(s => Space.InHalfOpen(key, Self.Id, s.Id)) is { } owner)
                toSuccessors.Add((name, owner));
            else
                behind.Add(name);
        }
        return new([.. toSuccessors], [.. behind]);
    }

    /// <summary>Off the logical thread: gives each stray copy to its owner and drops it here once the owner holds one; true when all went.</summary>
    private async Task<bool> HandBackStraysAsync(IReadOnlyList<(string Name, PeerContact Owner)> strays)
    {
        var all = true;
        foreach (var (name, owner) in strays)
        {
            if (!await CopyToAsync(owner, name, asOwner: false).ConfigureAwait(false))
            {
                all = false;
                continue;
            }
            if (Files.Delete(name))
                _context.Post(() => _context.Raise(DhtEventKind.FileReplicaDropped, $"File {name} dropped here: Peer {owner.Id} and its next successors hold it", owner.Id));
        }
        return all;
    }

    /// <summary>
    /// Off the logical thread: strays whose owner lies behind this peer's predecessors go to the owner a lookup finds, a
    /// range at a time: the owner's answer says which range it owns. Without this a peer back from a restart kept the copies
    /// of ranges it had held when the ring was smaller, and the ring never checked healthy again (the long run on real
    /// sockets: 540 copies at one peer, two events in a row). True when all went.
    /// </summary>
    private async Task<bool> HandBackStraysBehindAsync(IReadOnlyList<string> names)
    {
        var remaining = names.Select(name => (Name: name, Key: FileKey.Of(name, Space))).OrderBy(stray => stray.Key).ToList();
        var all = true;
        for (var lookups = 0; remaining.Count > 0; lookups++)
        {
            if (lookups == StrayOwnerLookupsPerPass || await LookUpOwnerAsync(remaining[0].Key).ConfigureAwait(false) is not { } owner)
                return false;
            var first = remaining[0].Key;
            bool OwnedThere((string Name, ulong Key) stray) => stray.Key == first || owner.OwnedFrom is { } from && Space.InHalfOpen(stray.Key, from, owner.Peer.Id);
            var range = remaining.Where(OwnedThere).ToList();
            remaining.RemoveAll(OwnedThere);
            // The owner this peer's own predecessors cannot see is this peer after all: the next pass judges again.
            if (owner.Peer.Id != Self.Id)
                all &= await HandBackStraysAsync([.. range.Select(stray => (stray.Name, owner.Peer))]).ConfigureAwait(false);
        }
        return all;
    }

    /// <summary>Off the logical thread: the owner of <paramref name="key"/> and the range it owns; null when no owner answered.</summary>
    private async Task<(PeerContact Peer, ulong? OwnedFrom)?> LookUpOwnerAsync(ulong key)
    {
        var lookup = new LookupRequest { Sender = Self, IdBits = Space.Bits, RequestId = _context.NewRequestId(), Key = key, Origin = Self };
        var answer = await AnsweredAsync<RouteAnswer?>(done => _context.StartRoute(lookup, _options.RequestTimeout, done)).ConfigureAwait(false);
        return answer is { Outcome: RouteOutcome.Owner } ? (answer.Sender, answer.OwnedFrom) : null;
    }
}
