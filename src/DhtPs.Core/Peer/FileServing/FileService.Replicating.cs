using System.Collections.Concurrent;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// Copies (protocol.md 8.8): a file lives on the owner of its key and on the owner's next r - 1 live successors
/// (<see cref="PeerOptions.ReplicationFactor"/>). The owner keeps that true. Whenever the neighbourhood changes
/// (<see cref="Neighborhood.Changed"/>: a successor died, joined or left, a predecessor came or went) it runs a
/// replication pass over its range (first predecessor, this peer]: each of its next r - 1 successors is told which files
/// the owner holds there (<see cref="ReplicaSync"/>) and gets the ones it lacks; a successor gives the owner the files of
/// that range the owner lacks (a new owner after a death, an owner back from a restart). Once all of them confirmed every
/// file, the peers beyond them on the successor list, no longer holders, are told to drop their copies
/// (<see cref="ReplicaRelease"/>): a copy goes only once its new holders have it. A pass that could not finish runs again
/// a ping interval later, and every owner runs one every <see cref="RefreshRounds"/> ping intervals anyway: a peer that
/// took itself for an owner for a while (a predecessor slot not yet filled again, a partition) may have made copies beyond
/// the real owner's holders: it remembers what it gave to whom and releases those copies too, and their receiver drops
/// them once its own predecessors say it holds none of those keys. A store is acknowledged once
/// <see cref="PeerOptions.EffectiveWriteQuorum"/> holders have it.
/// </summary>
internal sealed partial class FileService
{
    /// <summary>A burst of changes (a death moves several links and slots within one round) makes one pass.</summary>
    private static readonly TimeSpan PassDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Every so many ping intervals an owner runs a pass without a change.</summary>
    private const int RefreshRounds = 4;

    /// <summary>The neighbourhood changed while a pass was running: another one follows it at once.</summary>
    private bool _passDue;

    private bool _passRunning;

    private ITimer? _passTimer;

    private DateTimeOffset _passAt;

    /// <summary>
    /// Peers this owner gave copies to, by id: each is told to drop them once it is no longer a holder, however far along
    /// the ring it has moved meanwhile (a list that skipped the holders during a partition gave copies to later peers).
    /// </summary>
    private readonly Dictionary<ulong, (PeerContact Peer, Dictionary<string, ReplicaEntry> Copies)> _copiedTo = [];

    private bool Replicates => _options.ReplicationFactor > 1;

    /// <summary>The peers that hold copies of this peer's files besides itself: its next r - 1 live successors.</summary>
    private IReadOnlyList<PeerContact> ReplicaHolders() =>
        [.. _neighborhood.LiveSuccessors.Where(s => s.Id != Self.Id).DistinctBy(s => s.Id).Take(_options.ReplicationFactor - 1)];

    /// <summary>Follows <see cref="Neighborhood.Changed"/>: the holders of this peer's range, or the range itself, may be others now.</summary>
    private void OnNeighborhoodChanged() => ScheduleReplication(PassDelay);

    /// <summary>Runs a pass after <paramref name="delay"/>, or sooner when one is already set for sooner (or right after the one running).</summary>
    private void ScheduleReplication(TimeSpan delay)
    {
        if (!Replicates || _context.Stopping)
            return;
        if (_passRunning)
        {
            _passDue = true;
            return;
        }
        var at = _context.Time.GetUtcNow() + delay;
        if (_passTimer is not null && _passAt <= at)
            return;
        _passTimer?.Dispose();
        _passAt = at;
        _passTimer = _context.StartTimer(delay, RunReplicationPass);
    }

    private void RunReplicationPass()
    {
        _passTimer?.Dispose();
        _passTimer = null;
        if (_passRunning || _context.Status is not PeerStatus.Running)
            return;
        // Without a predecessor heard (a peer of a ring that is still forming) the range is unknown: its first ping starts a pass.
        if (_neighborhood.FirstPredecessor is not { } predecessor || predecessor.Id == Self.Id)
            return;
        var holders = ReplicaHolders();
        // The owners this peer rightly holds copies for are its r - 1 nearest predecessors: copies given to them are theirs.
        var owners = _neighborhood.Predecessors.Take(_options.ReplicationFactor - 1).Select(p => p.Id).ToHashSet();
        var beyond = _neighborhood.LiveSuccessors.Concat(_copiedTo.Values.Select(c => c.Peer).Where(p => !owners.Contains(p.Id)))
            .Where(s => s.Id != Self.Id && holders.All(h => h.Id != s.Id)).DistinctBy(s => s.Id)
            .Select(s => (s, _copiedTo.TryGetValue(s.Id, out var given) ? given.Copies.Values.ToArray() : []))
            .ToArray();
        // A holder of this range may also have been given copies of another while this peer took itself for that range's owner
        // (seed 78 at 64 peers): those go back as they would from any other peer, the holder's own copies of this range stay.
        var strayGiven = holders
            .Select(h => (Holder: h, Given: _copiedTo.TryGetValue(h.Id, out var given) ? given.Copies.Values.Where(c => !Owns(FileKey.Of(c.Name, Space))).ToArray() : []))
            .Where(h => h.Given.Length > 0)
            .ToArray();
        var names = MayHoldFiles ? Files.Names().Where(name => Owns(FileKey.Of(name, Space))).ToArray() : [];
        var tombstones = MayHoldFiles ? Files.Records().Where(r => r.IsTombstone && Owns(FileKey.Of(r.Name, Space))).Select(ReplicaEntry.Of).ToArray() : [];
        var strays = MayHoldFiles ? FindStrays(Files.Names()) : Strays.None;
        var expiredBefore = _context.Time.GetUtcNow() - _options.TombstoneLifetime;
        var scrubFrom = _scrubbedUpTo;
        _passRunning = true;
        var passHolders = holders.ToDictionary(h => h.Id, _ => new CancellationTokenSource());
        _passHolders = passHolders;
        _context.RunInBackground(async () =>
        {
            var finished = false;
            try
            {
                if (MayHoldFiles)
                    Files.ExpireTombstones(expiredBefore);
                finished = await ReplicateRangeAsync(predecessor.Id, holders, beyond, names, tombstones, passHolders).ConfigureAwait(false);
                finished &= await ReleaseStrayGivenAsync(predecessor.Id, strayGiven).ConfigureAwait(false);
                finished &= await HandBackStraysAsync(strays.ToSuccessors).ConfigureAwait(false);
                finished &= await HandBackStraysBehindAsync(strays.Behind).ConfigureAwait(false);
                var scrubbed = await ScrubAsync(scrubFrom).ConfigureAwait(false);
                _context.Post(() => _scrubbedUpTo = scrubbed);
            }
            finally
            {
                _context.Post(() =>
                {
                    _passRunning = false;
                    _passHolders = null; // Not disposed: a cancel may still be on its way, and a source without a timer holds nothing.
                    var again = _passDue;
                    _passDue = false;
                    ScheduleReplication(again ? PassDelay : finished ? RefreshRounds * _options.PingInterval : _options.PingInterval);
                });
            }
        });
    }

    /// <summary>Off the logical thread: one pass over the range (<paramref name="after"/>, this peer]; true when every holder confirmed every file.</summary>
    /// <param name="beyond">Peers that are no holders: the rest of the successor list, and those this peer gave copies to, with those copies.</param>
    /// <param name="tombstones">The removals of the range this peer records: its holders keep them until they expire.</param>
    /// <param name="abandon">Per holder: cancelled once it is declared dead, so the pass waits no longer on it.</param>
    private async Task<bool> ReplicateRangeAsync(ulong after, IReadOnlyList<PeerContact> holders, IReadOnlyList<(PeerContact Peer, ReplicaEntry[] Given)> beyond,
        IReadOnlyList<string> names, IReadOnlyList<ReplicaEntry> tombstones, IReadOnlyDictionary<ulong, CancellationTokenSource> abandon)
    {
        var entries = new List<ReplicaEntry>(tombstones);
        foreach (var name in names)
        {
            try
            {
                var file = Files.GetInfo(name);
                entries.Add(ReplicaEntry.Of(file));
            }
            catch (FileNotFoundException)
            {
                // Gone since it was listed (handed on): not this pass's.
            }
        }
        var chunks = entries.Count == 0 ? [[]] : entries.Chunk(MessageValidator.MaxReplicaEntries).ToArray();
        var digest = ReplicaEntry.DigestOf(entries);
        var confirmed = await Task.WhenAll(holders.Select(holder => SyncHolderAsync(holder, after, chunks, digest, abandon[holder.Id].Token))).ConfigureAwait(false);
        if (confirmed.Any(all => !all))
            return false;
        foreach (var (peer, given) in beyond)
        {
            // Forgotten only once it keeps none of what it was given: a peer that still holds a copy by its own view is asked again next pass.
            var released = entries.UnionBy(given, entry => entry.Name).OrderBy(entry => entry.Name, StringComparer.Ordinal).ToArray();
            var (kept, allAnswered) = await ReleaseAsync(peer, after, released).ConfigureAwait(false);
            if (allAnswered && !given.Any(g => kept.Contains(g.Name)))
                _context.Post(() => _copiedTo.Remove(peer.Id));
        }
        return true;
    }

    /// <summary>
    /// Off the logical thread: asks each holder of this range to drop the copies of other ranges this peer gave it (its own
    /// predecessors judge them strays); those it dropped are forgotten. True when none is kept.
    /// </summary>
    private async Task<bool> ReleaseStrayGivenAsync(ulong after, IReadOnlyList<(PeerContact Holder, ReplicaEntry[] Given)> strayGiven)
    {
        var all = true;
        foreach (var (holder, given) in strayGiven)
        {
            var (kept, _) = await ReleaseAsync(holder, after, given).ConfigureAwait(false);
            all &= kept.Count == 0;
            _context.Post(() =>
            {
                if (_copiedTo.TryGetValue(holder.Id, out var copies))
                    foreach (var entry in given.Where(g => !kept.Contains(g.Name)))
                        copies.Copies.Remove(entry.Name);
            });
        }
        return all;
    }

    /// <summary>
    /// Off the logical thread: tells <paramref name="peer"/> to drop <paramref name="files"/> (in chunks a message holds). The names
    /// it keeps, counting every name of a chunk it did not answer, and whether it answered every chunk.
    /// </summary>
    private async Task<(HashSet<string> Kept, bool AllAnswered)> ReleaseAsync(PeerContact peer, ulong after, IReadOnlyList<ReplicaEntry> files)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var allAnswered = true;
        foreach (var chunk in files.Chunk(MessageValidator.MaxReplicaEntries))
        {
            var reply = (await AskAsync(peer, new ReplicaRelease { Sender = Self, IdBits = Space.Bits, After = after, Files = chunk }).ConfigureAwait(false))?.Message;
            if (reply is ReplicaReleaseReply answer)
                kept.UnionWith(answer.Kept);
            else
            {
                kept.UnionWith(chunk.Select(c => c.Name));
                allAnswered = false;
            }
        }
        return (kept, allAnswered);
    }

    /// <summary>This peer's index entries (tombstones too) whose keys lie in (<paramref name="after"/>, <paramref name="last"/>].</summary>
    private IEnumerable<ReplicaEntry> EntriesOfRange(ulong after, ulong last) =>
        MayHoldFiles ? Files.Records().Where(r => Space.InHalfOpen(FileKey.Of(r.Name, Space), after, last) && Files.Find(r.Name) is not null).Select(ReplicaEntry.Of) : [];

    /// <summary>
    /// Tells <paramref name="holder"/> what this owner holds and uploads what it lacks; true once it holds every file.
    /// With <paramref name="digest"/> (a periodic round) the range's digest goes first, and the lists only when it differs.
    /// </summary>
    /// <remarks>
    /// A holder that does not answer the digest is not asked for the lists too: the pass would wait a second request timeout
    /// on it before it ends and the next one, with the holders after it, begins (seed 711 at 64 peers lost two files so).
    /// </remarks>
    private async Task<bool> SyncHolderAsync(PeerContact holder, ulong after, IReadOnlyList<ReplicaEntry[]> chunks, string? digest = null,
        CancellationToken abandoned = default)
    {
        if (digest is not null)
        {
            var compared = (await AskAsync(holder, new ReplicaSync { Sender = Self, IdBits = Space.Bits, After = after, Files = [], Digest = digest }, abandoned)
                .ConfigureAwait(false))?.Message;
            if (compared is ReplicaSyncReply { InSync: true })
                return true;
            if (compared is null)
                return false;
        }
        var all = true;
        foreach (var chunk in chunks)
        {
            var reply = await AskAsync(holder, new ReplicaSync { Sender = Self, IdBits = Space.Bits, After = after, Files = chunk }, abandoned).ConfigureAwait(false);
            if (reply?.Message is not ReplicaSyncReply answer)
            {
                all = false;
                continue;
            }
            foreach (var name in answer.Missing.Where(missing => chunk.Any(entry => entry.Name == missing && !entry.Removed)))
                all &= await CopyToAsync(holder, name).ConfigureAwait(false);
            // A removal this owner missed (it was another peer's range then, or it was away): recorded here too, and passed on.
            var removedHere = (answer.Removed ?? []).Count(removed => Files.Remove(removed.Name, removed.Version, _context.Time.GetUtcNow()));
            if (removedHere > 0)
            {
                _context.Post(() => ScheduleReplication(PassDelay));
                all = false;
            }
        }
        return all;
    }

    /// <summary>
    /// Copies on their way from this peer, by receiver, name and version. A store's replication and a pass that finds the
    /// holder still lacking the file ask for the same copy at once; the second waits for the first instead of sending the
    /// bytes again (a 1 GiB store with three copies sent each holder two). Touched from any thread.
    /// </summary>
    private readonly ConcurrentDictionary<CopyUnderWay, Lazy<Task<bool>>> _copiesUnderWay = new();

    private readonly record struct CopyUnderWay(ulong Holder, string Name, FileVersion Version, bool AsOwner);

    /// <summary>Off the logical thread: uploads a copy of <paramref name="name"/> to <paramref name="holder"/>; true once it holds one.</summary>
    /// <param name="asOwner">Remembered, so that it is released once the receiver is neither a holder nor one of the r - 1 predecessors
    /// whose copies this peer holds (a peer that claimed to own a range it did not gets them back); a stray copy handed back to its
    /// owner is the owner's from then on.</param>
    private Task<bool> CopyToAsync(PeerContact holder, string name, bool asOwner = true)
    {
        Task<bool> Send() => SendCopyAsync(holder, name, asOwner, () => SendHeldCopyAsync(holder, name, UploadPurpose.Replica));
        return Files.Find(name) is { } held ? SharedCopyAsync(new CopyUnderWay(holder.Id, name, held.Version, asOwner), Send) : Send();
    }

    /// <summary>
    /// Off the logical thread: a store's copy sent from the bytes the store brought (<paramref name="content"/>, all of
    /// <paramref name="file"/>), while this peer still writes its own; shared with a pass that asks for the same copy meanwhile.
    /// </summary>
    private Task<bool> CopyContentToAsync(PeerContact holder, StoredFile file, byte[] content) =>
        SharedCopyAsync(new CopyUnderWay(holder.Id, file.Name, file.Version, AsOwner: true),
            () => SendCopyAsync(holder, file.Name, asOwner: true, async () => await SendCopyOfAsync(holder, file, new MemoryStream(content, writable: false), UploadPurpose.Replica)
                .ConfigureAwait(false)));

    /// <summary>The copy already on its way to that holder, or <paramref name="send"/>'s, which later callers then share.</summary>
    private async Task<bool> SharedCopyAsync(CopyUnderWay copy, Func<Task<bool>> send)
    {
        var mine = new Lazy<Task<bool>>(send);
        var underWay = _copiesUnderWay.GetOrAdd(copy, mine);
        try
        {
            return await underWay.Value.ConfigureAwait(false);
        }
        finally
        {
            if (underWay == mine)
                _copiesUnderWay.TryRemove(new KeyValuePair<CopyUnderWay, Lazy<Task<bool>>>(copy, mine));
        }
    }

    /// <param name="send">Sends the copy: the file as sent and whether the holder had it already, or null when there is nothing to send.</param>
    private async Task<bool> SendCopyAsync(PeerContact holder, string name, bool asOwner, Func<Task<(StoredFile File, bool HeldAlready)?>> send)
    {
        try
        {
            // Gone from here since (nothing left to copy), or it holds one already (stored there meanwhile): nothing to remember.
            if (await send().ConfigureAwait(false) is not ({ } file, HeldAlready: false))
                return true;
            _context.Post(() =>
            {
                if (!asOwner)
                {
                    _context.Raise(DhtEventKind.FileReplicated, $"File {name} copied to Peer {holder.Id}", holder.Id);
                    return;
                }
                if (!_copiedTo.TryGetValue(holder.Id, out var given))
                    _copiedTo[holder.Id] = given = (holder, new Dictionary<string, ReplicaEntry>(StringComparer.Ordinal));
                given.Copies[file.Name] = ReplicaEntry.Of(file);
                _context.Raise(DhtEventKind.FileReplicated, $"File {name} copied to Peer {holder.Id}", holder.Id);
            });
            return true;
        }
        catch (Exception e) when (e is DhtFileException or IOException)
        {
            _context.Post(() => _context.Raise(DhtEventKind.FileTransferFailed, $"File {name} could not be copied to Peer {holder.Id}: {e.Message}", holder.Id));
            return false;
        }
    }

    /// <summary>Why this peer holds each key, by the predecessors it knows now.</summary>
    private FileRoles Roles() => new(Space, Self.Id, [.. _neighborhood.Predecessors.Select(p => p.Id)], _options.ReplicationFactor);

    /// <summary>Asks from off the logical thread; null when the peer stopped meanwhile, or <paramref name="abandoned"/> gave up on the answer.</summary>
    /// <param name="timeout">How long the answer may take; the request timeout when null.</param>
    private Task<Reply?> AskAsync(PeerContact to, Message request, CancellationToken abandoned = default, TimeSpan? timeout = null) =>
        AnsweredAsync<Reply?>(done => _context.Ask(to, request, reply => done(reply), timeout), abandoned, timeout);

    /// <summary>
    /// From off the logical thread: starts there what answers through the callback it is given (a request, a route) and
    /// waits for that answer; the default (null for the nullable answers it is used with) when none came, the peer stopped
    /// meanwhile, or <paramref name="abandoned"/> gave up.
    /// </summary>
    private async Task<T?> AnsweredAsync<T>(Action<Action<T>> start, CancellationToken abandoned = default, TimeSpan? timeout = null)
    {
        var answered = new TaskCompletionSource<T>(_context.CompletionOptions);
        _context.Post(() => start(answered.SetResult));
        try
        {
            // Requests and routes end within their timeout; a request timeout more covers a peer that stopped before it posted the start.
            return await answered.Task.WaitAsync((timeout ?? _options.RequestTimeout) + _options.RequestTimeout, _context.Time, abandoned).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return default;
        }
    }

    /// <summary>The running pass's holders, each with what gives up on it; null between passes. Touched only on the logical thread.</summary>
    private Dictionary<ulong, CancellationTokenSource>? _passHolders;

    /// <summary>Follows <see cref="Neighborhood.SuccessorDeclaredDead"/>: the running pass waits no longer on that holder, and the next pass has the holders after it.</summary>
    private void AbandonDeadHolder(ulong id)
    {
        // Off the logical thread: the pass's continuations would otherwise run on it, inside Cancel.
        if (_passHolders?.TryGetValue(id, out var abandon) == true)
            _context.RunInBackground(() =>
            {
                abandon.Cancel();
                return Task.CompletedTask;
            });
    }

    /// <summary>
    /// Off the logical thread, at the owner that just kept a stored file: copies it to its holders, and returns how many
    /// peers hold it (this one counts) once the write quorum does, or once every copy ended. A copy still under way then
    /// gets one request timeout more, so a store normally reports every copy.
    /// </summary>
    private Task<(int Held, int Required)> ReplicateStoredAsync(string name) => ReplicateStoredAsync(holder => CopyToAsync(holder, name));

    /// <param name="copyTo">Copies the file to one holder; true once it holds it.</param>
    private async Task<(int Held, int Required)> ReplicateStoredAsync(Func<PeerContact, Task<bool>> copyTo)
    {
        if (!Replicates)
            return (1, 1);
        var holders = await Call(ReplicaHolders, CancellationToken.None).ConfigureAwait(false);
        var quorum = RequiredCopies(holders.Count);
        var copies = holders.Select(copyTo).ToList();
        var held = 1;
        while (held < quorum && copies.Count > 0)
        {
            var done = await Task.WhenAny(copies).ConfigureAwait(false);
            copies.Remove(done);
            if (await done.ConfigureAwait(false))
                held++;
        }
        if (copies.Count > 0)
        {
            var rest = Task.WhenAll(copies);
            await Task.WhenAny(rest, Task.Delay(_options.RequestTimeout, _context.Time)).ConfigureAwait(false);
            held += copies.Count(copy => copy.IsCompletedSuccessfully && copy.Result);
        }
        return (held, quorum);
    }

    /// <summary>The holders a store needs: the write quorum, or every peer a ring smaller than that has (this one and <paramref name="holders"/>).</summary>
    private int RequiredCopies(int holders) => Math.Min(_options.EffectiveWriteQuorum, 1 + holders);

    /// <summary>
    /// At a holder: which of the owner's files it lacks at the listed version (or holds at a lower one), recording the
    /// owner's tombstones it does not hold yet; the files of the owner's range it holds newer than the owner lists, or that
    /// the owner does not list, go to the owner, and the removals the owner missed come back in the reply.
    /// </summary>
    public void HandleReplicaSync(ReplicaSync sync, Action<Message> reply)
    {
        if (_context.Status is not PeerStatus.Running)
        {
            reply(Refuse(ErrorCode.NotRunning, $"Peer {Self.Id} is {_context.Status}; it keeps no copies."));
            return;
        }
        var owner = sync.Sender;
        if (sync.Digest is { } digest)
        {
            reply(new ReplicaSyncReply { Sender = Self, IdBits = Space.Bits, Missing = [], InSync = digest == ReplicaEntry.DigestOf(EntriesOfRange(sync.After, owner.Id)) });
            return;
        }
        var listed = sync.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var missing = new List<string>();
        var removedNewer = new List<ReplicaEntry>();
        var toRemove = new List<ReplicaEntry>();
        var ownerLacks = new List<string>();
        foreach (var entry in sync.Files)
        {
            Observe(entry.Version);
            var held = MayHoldFiles ? Files.Find(entry.Name) : null;
            if (held is not null && held.Version > entry.Version)
            {
                if (held.IsTombstone)
                    removedNewer.Add(ReplicaEntry.Of(held));
                else
                    ownerLacks.Add(held.Name);
            }
            else if (entry.Removed)
            {
                if (held is null || held.Version < entry.Version)
                    toRemove.Add(entry);
            }
            else if (held is null || held.Version < entry.Version)
                missing.Add(entry.Name);
        }
        if (MayHoldFiles && sync.Files.Count < MessageValidator.MaxReplicaEntries)
        {
            // A full chunk may be one of several: only a complete list tells what the owner lacks.
            foreach (var record in Files.Records().Where(r => !listed.ContainsKey(r.Name) && Space.InHalfOpen(FileKey.Of(r.Name, Space), sync.After, owner.Id)))
            {
                if (record.IsTombstone)
                    removedNewer.Add(ReplicaEntry.Of(record));
                else
                    ownerLacks.Add(record.Name);
            }
        }
        var answer = new ReplicaSyncReply { Sender = Self, IdBits = Space.Bits, Missing = missing, Removed = removedNewer.Count > 0 ? removedNewer : null };
        if (ownerLacks.Count > 0)
            _context.RunInBackground(async () =>
            {
                foreach (var name in ownerLacks)
                    await CopyToAsync(owner, name).ConfigureAwait(false);
            });
        if (toRemove.Count == 0)
        {
            reply(answer);
            return;
        }
        _context.RunInBackground(() =>
        {
            // Off the logical thread (disk), and answered once the tombstones are durable: the answer confirms them.
            var now = _context.Time.GetUtcNow();
            foreach (var entry in toRemove.Where(entry => Files.Remove(entry.Name, entry.Version, now)))
                _context.Post(() => _context.Raise(DhtEventKind.FileRemoved, $"File {entry.Name} removed here (version {entry.Version}), as Peer {owner.Id} recorded", owner.Id));
            _context.Post(() => reply(answer));
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// At a peer an owner no longer counts among its holders: drops each listed copy it holds (the very bytes listed, or an older version) whose
    /// key lies in the owner's range and is not its own, or that its own predecessors say it holds for nobody (a copy a
    /// peer gave it while taking itself for the owner). Answers with the copies it keeps.
    /// </summary>
    public Message HandleReplicaRelease(ReplicaRelease release)
    {
        if (_context.Status is not PeerStatus.Running)
            return Refuse(ErrorCode.NotRunning, $"Peer {Self.Id} is {_context.Status}.");
        var owner = release.Sender.Id;
        ReplicaEntry[] held = MayHoldFiles ? [.. release.Files.Where(f => Files.Find(f.Name) is not null)] : [];
        var roles = Roles();
        var judged = _neighborhood.Predecessors.Count >= _options.ReplicationFactor;
        var drop = held.Where(f => FileKey.Of(f.Name, Space) is var key && !Owns(key)
            && (Space.InHalfOpen(key, release.After, owner) || judged && roles.Of(key) is DhtStoredFileRole.Stray)).ToArray();
        if (drop.Length > 0)
            _context.RunInBackground(() =>
            {
                foreach (var entry in drop)
                {
                    try
                    {
                        // The very copy the owner's holders confirmed, or an older version of it; a newer one (or other bytes of the same) stays.
                        if (Files.Find(entry.Name) is { } record && (record.Version < entry.Version || record.Version == entry.Version && record.Sha256 == entry.Sha256)
                            && (record.IsTombstone || record.Version < entry.Version || Files.GetInfo(entry.Name).Sha256 == entry.Sha256) && Files.Delete(entry.Name))
                            _context.Post(() => _context.Raise(DhtEventKind.FileReplicaDropped, $"File {entry.Name} dropped here: Peer {owner} and its next successors hold it", owner));
                    }
                    catch (Exception e) when (e is FileNotFoundException or IOException)
                    {
                        // Gone or changing meanwhile: nothing to drop.
                    }
                }
                return Task.CompletedTask;
            });
        return new ReplicaReleaseReply { Sender = Self, IdBits = Space.Bits, Kept = [.. held.Except(drop).Select(f => f.Name)] };
    }

    /// <summary>A copy arrived: at the owner (from a holder, after a death or a restart) the other holders need it too.</summary>
    private void OnCopyArrived(string name)
    {
        if (Owns(FileKey.Of(name, Space)))
            ScheduleReplication(PassDelay);
    }

    /// <summary>
    /// A replica upload is kept unless this version of the name, or a newer one (a tombstone too), is held here already;
    /// with one copy it is a file returned to its owner (<see cref="ReturnHeldFiles"/>), kept only for a key of this peer's range.
    /// </summary>
    private ErrorResponse? AdmitReplica(string name, FileVersion version)
    {
        if (!Replicates && !Owns(FileKey.Of(name, Space)))
            return Refuse(ErrorCode.Unsolicited, $"Key {FileKey.Of(name, Space)} of {name} is not Peer {Self.Id}'s.");
        return Files.Find(name) is { } held && held.Version >= version ? Refuse(ErrorCode.AlreadyStored, $"Peer {Self.Id} already holds {name} at version {held.Version}.") : null;
    }
}
