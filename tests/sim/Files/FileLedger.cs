namespace DhtPs.Simulation.Files;

/// <summary>
/// What the schedule did with files: the names it used, the stores that succeeded, the files lost with a crashed
/// host, and the fetches. The invariant checks the ring against it.
/// </summary>
public sealed class FileLedger
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<TrackedFile> _stored = [];

    /// <summary>Successful stores, in the order they completed.</summary>
    public IReadOnlyList<TrackedFile> Stored => _stored;

    public int StoresStarted => _names.Count;
    public int Lost => _stored.Count(f => f.IsLost);
    public int FetchesStarted { get; private set; }
    public int Fetched { get; private set; }

    public bool IsNameUsed(string name) => _names.Contains(name);

    /// <summary>Reserves a name for a store, so no two stores of the schedule share one.</summary>
    public void BeginStore(string name)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"File {name} has been stored before.");
    }

    public void StoreSucceeded(TrackedFile file) => _stored.Add(file);

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
        foreach (var file in _stored.Where(f => !f.IsLost && crashedHolds(f) && !othersHold(f)))
            file.IsLost = true;
    }
}
