namespace DhtPs.Simulation.Files;

/// <summary>What a run did with files, so a sweep can show that file operations really ran and what became of them.</summary>
/// <param name="AwaitingTakeOver">At the last file check: files at a later peer than their owner because the owner came back without joining (a restart takes nothing over) or the store came from off the ring.</param>
/// <param name="Checks">How often the file invariant was checked (only once the ring had been calm long enough).</param>
/// <param name="Overwrites">Acknowledged stores of a name stored before (a newer version), among <paramref name="Stored"/>.</param>
/// <param name="Removes">Acknowledged removals that became a name's latest write.</param>
/// <param name="StaleServed">Fetches during churn that returned a version older than the latest acknowledged when they began (calm: a failure).</param>
public sealed record FileTally(int StoresStarted, int Stored, int Lost, int AwaitingTakeOver, int FetchesStarted, int Fetched, int Checks,
    int Overwrites = 0, int Removes = 0, int StaleServed = 0)
{
    public static FileTally None { get; } = new(0, 0, 0, 0, 0, 0, 0);

    public FileTally Add(FileTally other) => new(
        StoresStarted + other.StoresStarted, Stored + other.Stored, Lost + other.Lost, AwaitingTakeOver + other.AwaitingTakeOver,
        FetchesStarted + other.FetchesStarted, Fetched + other.Fetched, Checks + other.Checks,
        Overwrites + other.Overwrites, Removes + other.Removes, StaleServed + other.StaleServed);

    public override string ToString() =>
        $"files: {Stored} of {StoresStarted} stores succeeded, {Lost} lost with a crashed host, {AwaitingTakeOver} not at an owner that restarted or stored from off the ring, " +
        $"{Fetched} of {FetchesStarted} fetches succeeded, {Checks} file checks" +
        (Overwrites + Removes > 0 ? $", {Overwrites} new versions and {Removes} removals acknowledged, {StaleServed} stale versions served" : "");
}
