using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// With one copy (r = 1), a file kept here whose key lies in the first predecessor's range goes back to it, as Dynamo's
/// hinted hand-off does. The router serves a store here when that predecessor did not take it: cut off, stalled, or dead
/// and not yet forgotten (protocol.md 5.7). A live predecessor would otherwise never see the file, since nothing on the
/// ring changed (chaos seed 190 at 64 peers). Each ping interval the file is offered to the predecessor, and it is deleted
/// here once the predecessor holds it. While the key is this peer's (the predecessor forgotten) the note waits for the
/// next change of neighbours: a predecessor silent for a while may come back (seed 190 again). With copies the
/// replication pass does this.
/// </summary>
internal sealed partial class FileService
{
    /// <summary>Names kept here whose keys this peer did not own when they arrived. Touched only on the logical thread.</summary>
    private readonly HashSet<string> _heldForOthers = new(StringComparer.Ordinal);

    private ITimer? _returnTimer;

    private bool _returning;

    /// <summary>On the logical thread, once <paramref name="name"/> is kept here: noted when its key is another peer's.</summary>
    private void NoteIfHeldForOthers(string name)
    {
        if (Replicates || Owns(FileKey.Of(name, Space)) || !_heldForOthers.Add(name))
            return;
        ScheduleReturn();
    }

    /// <summary>Offers the noted files again in an interval, while any of them has a key outside this peer's range.</summary>
    private void ScheduleReturn()
    {
        if (_returnTimer is null && !_returning && !_context.Stopping && _heldForOthers.Any(name => !Owns(FileKey.Of(name, Space))))
            _returnTimer = _context.StartTimer(_options.PingInterval, ReturnHeldFiles);
    }

    private void ReturnHeldFiles()
    {
        _returnTimer?.Dispose();
        _returnTimer = null;
        if (_context.Stopping)
            return;
        _heldForOthers.RemoveWhere(name => Files.Find(name) is not { IsTombstone: false });
        var owner = _neighborhood.FirstPredecessor;
        var names = owner is null ? [] : ReturnableTo(owner.Id, _neighborhood.Predecessors.ElementAtOrDefault(1)?.Id);
        if (names.Length == 0)
        {
            ScheduleReturn();
            return;
        }
        _returning = true;
        _context.RunInBackground(async () =>
        {
            IReadOnlyList<(string Name, FileVersion Version)> returned = [];
            try
            {
                returned = await ReturnAsync(owner!, names).ConfigureAwait(false);
            }
            finally
            {
                _context.Post(() => Returned(owner!, returned));
            }
        });
    }

    /// <summary>On the logical thread: deletes the copies <paramref name="owner"/> now holds, and offers the rest again later.</summary>
    private void Returned(PeerContact owner, IReadOnlyList<(string Name, FileVersion Version)> returned)
    {
        _returning = false;
        foreach (var (name, version) in returned)
        {
            // A newer version kept here since the upload began stays: it is returned next time.
            if (Files.Find(name)?.Version == version && Files.Delete(name))
            {
                _heldForOthers.Remove(name);
                _context.Raise(DhtEventKind.FileHandedOff, $"File {name} returned to Peer {owner.Id}, which owns its key", owner.Id);
            }
        }
        ScheduleReturn();
    }

    /// <summary>
    /// The noted names whose keys lie in (<paramref name="before"/>, <paramref name="owner"/>], the first predecessor's
    /// range in this peer's view: one step back only (a walk further back on views that disagree could go round the ring),
    /// and only with both predecessors known.
    /// </summary>
    private string[] ReturnableTo(ulong owner, ulong? before) =>
        before is { } after ? [.. _heldForOthers.Where(name => Space.InHalfOpen(FileKey.Of(name, Space), after, owner))] : [];

    /// <summary>Off the logical thread: uploads each file to <paramref name="owner"/>; returns those it now holds, at the version sent.</summary>
    private async Task<IReadOnlyList<(string Name, FileVersion Version)>> ReturnAsync(PeerContact owner, IReadOnlyList<string> names)
    {
        var returned = new List<(string, FileVersion)>();
        foreach (var name in names)
        {
            try
            {
                // Held already, the owner has this version or a newer one (a tombstone too): the copy here is not needed either.
                if (await SendHeldCopyAsync(owner, name, UploadPurpose.Replica).ConfigureAwait(false) is { } sent)
                    returned.Add((name, sent.File.Version));
            }
            catch (Exception e) when (e is DhtFileException or IOException)
            {
                return returned; // Unreachable still: the rest waits for the next interval.
            }
        }
        return returned;
    }
}
