using System.Collections.Concurrent;

namespace DhtPs.Testing;

/// <summary>The test rings this process made, so Remove-DhtTestRing without arguments, module removal and process exit find them all.</summary>
internal static class TestRingRegistry
{
    private static readonly ConcurrentDictionary<int, DhtTestRing> Rings = new();
    private static int _lastNumber;

    public static int NextNumber() => Interlocked.Increment(ref _lastNumber);

    public static IReadOnlyList<DhtTestRing> All => [.. Rings.Values.OrderBy(r => r.Number)];

    public static void Add(DhtTestRing ring) => Rings[ring.Number] = ring;

    public static void Remove(DhtTestRing ring) => Rings.TryRemove(ring.Number, out _);

    /// <summary>Module removal and process exit: kill every peer process and delete every ring's data (in-process peers stop with the registry).</summary>
    public static void RemoveAll()
    {
        foreach (var ring in All)
            ring.Remove(jobs: null);
    }
}
