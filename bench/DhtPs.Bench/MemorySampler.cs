using System.Diagnostics;

namespace DhtPs.Bench;

/// <summary>
/// Polls the process working set while a phase runs: PeakWorkingSet64 is a lifetime maximum,
/// so it cannot tell one phase's peak from an earlier one's.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public MemorySampler()
    {
        Before = CurrentWorkingSet();
        Peak = Before;
        _sampling = Task.Run(SampleAsync);
    }

    public long Before { get; }
    public long Peak { get; private set; }

    public static long CurrentWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    public static long LifetimePeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                Peak = Math.Max(Peak, CurrentWorkingSet());
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Peak = Math.Max(Peak, CurrentWorkingSet());
        _stop.Dispose();
    }
}
