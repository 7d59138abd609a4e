namespace DhtPs.Simulation.Files;

/// <summary>
/// Fetches of files that were acknowledged and not lost when the fetch began, apart from every other fetch: those made
/// while the ring was calm long enough (every one must succeed) and those made during churn.
/// </summary>
public sealed record FetchAvailability(int CalmStarted, int CalmSucceeded, int ChurnStarted, int ChurnSucceeded)
{
    public static FetchAvailability None { get; } = new(0, 0, 0, 0);

    public FetchAvailability Add(FetchAvailability other) => new(
        CalmStarted + other.CalmStarted, CalmSucceeded + other.CalmSucceeded, ChurnStarted + other.ChurnStarted, ChurnSucceeded + other.ChurnSucceeded);

    public FetchAvailability Counted(bool calm, bool succeeded) => calm
        ? this with { CalmStarted = CalmStarted + 1, CalmSucceeded = CalmSucceeded + (succeeded ? 1 : 0) }
        : this with { ChurnStarted = ChurnStarted + 1, ChurnSucceeded = ChurnSucceeded + (succeeded ? 1 : 0) };

    private static string Share(int succeeded, int started) => started == 0 ? "-" : $"{100.0 * succeeded / started:0.00} %";

    public override string ToString() =>
        $"fetches of acknowledged files: calm {CalmSucceeded} of {CalmStarted} ({Share(CalmSucceeded, CalmStarted)}), " +
        $"during churn {ChurnSucceeded} of {ChurnStarted} ({Share(ChurnSucceeded, ChurnStarted)})";
}
