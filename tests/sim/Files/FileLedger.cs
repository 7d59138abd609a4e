using System.Security.Cryptography;
using DhtPs.Core.Storage;

namespace DhtPs.Simulation.Files;

/// <summary>
/// What the schedule did with files: the names it used, for each the latest acknowledged write (a store or a removal,
/// by version: the highest wins, as in the ring), the writes acknowledged before it (stale once a newer one is), the
/// writes attempted but not acknowledged (which the ring may still hold: a store short of its quorum stays where it
/// reached), the files lost with a crashed host, and the fetches. The invariants check the ring against it.
/// </summary>
public sealed class FileLedger
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<TrackedFile> _stored = [];
    private readonly Dictionary<string, List<(FileVersion Version, string Sha256)>> _acknowledged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _attempted = new(StringComparer.Ordinal);

    /// <summary>The latest acknowledged write of each name, in the order the names were first stored.</summary>
    public IReadOnlyList<TrackedFile> Stored => _stored;

    public int StoresStarted { get; private set; }
    public int StoresAcknowledged { get; private set; }
    public int Lost => _stored.Count(f => f.IsLost);
    public int FetchesStarted { get; private set; }
    public int Fetched { get; private set; }
    public int Overwrites { get; private set; }
    public int Removes { get; private set; }

    /// <summary>Fetches that returned a version older than the latest acknowledged when they began.</summary>
    public int StaleServed { get; private set; }

    public bool IsNameUsed(string name) => _names.Contains(name);

    /// <summary>Starts a store of <paramref name="content"/> under <paramref name="name"/>, new or stored before.</summary>
    public void BeginStore(string name, byte[] content)
    {
        _names.Add(name);
        StoresStarted++;
        Attempts(name).Add(Digest(content));
    }

    /// <summary>Starts a removal of a name stored before.</summary>
    public void BeginRemove(string name) => Attempts(name).Add(RemovedMark);

    public void StoreSucceeded(TrackedFile file)
    {
        StoresAcknowledged++;
        if (Record(file) && _acknowledged[file.Name].Count > 1)
            Overwrites++;
    }

    public void RemoveSucceeded(TrackedFile tombstone)
    {
        if (Record(tombstone))
            Removes++;
    }

    public TrackedFile? Latest(string name) => _stored.FirstOrDefault(f => f.Name == name);

    /// <summary>True when <paramref name="content"/> (null: no copy) is what a holder of <paramref name="name"/> may hold once calm: the latest acknowledged write, or one attempted but not acknowledged; never an older acknowledged one.</summary>
    public bool MayHold(string name, byte[]? content, out bool stale)
    {
        var digest = content is null ? RemovedMark : Digest(content);
        var latest = Latest(name);
        var latestDigest = latest is null ? RemovedMark : latest.Removed ? RemovedMark : Digest(latest.Content);
        stale = digest != latestDigest && _acknowledged.TryGetValue(name, out var earlier) && earlier.Any(w => w.Sha256 == digest && w.Version < latest!.Version);
        return digest == latestDigest || !stale && _attempted.TryGetValue(name, out var tried) && tried.Contains(digest);
    }

    /// <summary>A fetch that began when <paramref name="latest"/> was the newest acknowledged write returned <paramref name="served"/>: stale when older.</summary>
    public bool ServedStale(TrackedFile latest, FileVersion served)
    {
        if (served >= latest.Version)
            return false;
        StaleServed++;
        return true;
    }

    /// <summary>Numbers a fetch; the number makes its destination path unique.</summary>
    public int BeginFetch() => ++FetchesStarted;

    public void FetchSucceeded() => Fetched++;

    /// <summary>Fetches of acknowledged files not lost when they began, calm or during churn.</summary>
    public FetchAvailability Availability { get; private set; } = FetchAvailability.None;

    public void FetchOfKeptFileEnded(bool calm, bool succeeded) => Availability = Availability.Counted(calm, succeeded);

    /// <summary>
    /// A host crashed and took its disk with it: each file whose only copy was on <paramref name="crashedHolds"/>
    /// (held by none of the peers still up, <paramref name="othersHold"/>) is lost.
    /// </summary>
    public void LoseOnlyCopies(Func<TrackedFile, bool> crashedHolds, Func<TrackedFile, bool> othersHold)
    {
        foreach (var file in _stored.Where(f => !f.IsLost && !f.Removed && crashedHolds(f) && !othersHold(f)))
            file.IsLost = true;
    }

    /// <summary>Records an acknowledged write; it becomes the latest only when its version is above the latest's.</summary>
    private bool Record(TrackedFile write)
    {
        if (!_acknowledged.TryGetValue(write.Name, out var writes))
            _acknowledged[write.Name] = writes = [];
        writes.Add((write.Version, write.Removed ? RemovedMark : Digest(write.Content)));
        var index = _stored.FindIndex(f => f.Name == write.Name);
        if (index < 0)
            _stored.Add(write);
        else if (write.Version > _stored[index].Version)
            _stored[index] = write;
        else
            return false;
        return true;
    }

    private HashSet<string> Attempts(string name)
    {
        if (!_attempted.TryGetValue(name, out var tried))
            _attempted[name] = tried = new HashSet<string>(StringComparer.Ordinal);
        return tried;
    }

    private const string RemovedMark = "removed";

    private static string Digest(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
