using System.Diagnostics;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol.Authentication;
using DhtPs.Core.Ring;

namespace DhtPs.Bench;

/// <summary>
/// What the ring secret costs (issue 17): two rings of two peers on loopback in one process, one open and one with a
/// secret, each holding a 1 KiB file at the peer that is not the entry; fetches alternate between the rings, so both
/// see the same machine load. Every fetch is a routed request, a delivery stream and its verdict: two TCP connections,
/// each with the handshake when the ring has a secret.
/// </summary>
internal static class AuthenticationBenchmark
{
    public static async Task<int> RunAsync(int rounds)
    {
        var root = Directory.CreateTempSubdirectory("dhtps-auth-bench-");
        try
        {
            await using var open = await Ring.StartAsync(root.FullName, "open", secret: null);
            await using var secured = await Ring.StartAsync(root.FullName, "secured", RingSecret.FromBytes("benchmark ring secret, 32 bytes."u8));
            for (var warmUp = 0; warmUp < 20; warmUp++)
            {
                await open.FetchAsync();
                await secured.FetchAsync();
            }
            var times = new Dictionary<string, List<double>> { ["open"] = [], ["secret"] = [] };
            for (var round = 0; round < rounds; round++)
            {
                // Alternate which goes first, so neither always follows the other's garbage.
                foreach (var (name, ring) in round % 2 == 0 ? new[] { ("open", open), ("secret", secured) } : [("secret", secured), ("open", open)])
                    times[name].Add(await ring.FetchAsync());
            }
            Console.WriteLine($"1 KiB Get (FetchAsync) through a ring of 2 on loopback, {rounds} fetches each, alternating; ms");
            Console.WriteLine($"{"ring",-8} {"mean",8} {"p50",8} {"p90",8} {"p99",8}");
            foreach (var (name, samples) in times)
            {
                samples.Sort();
                Console.WriteLine($"{name,-8} {samples.Average(),8:0.000} {Percentile(samples, 0.5),8:0.000} {Percentile(samples, 0.9),8:0.000} {Percentile(samples, 0.99),8:0.000}");
            }
            Console.WriteLine($"p50 ratio secret/open: {Percentile(times["secret"], 0.5) / Percentile(times["open"], 0.5):0.00}");
            return 0;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private sealed class Ring(PeerNode entry, PeerNode owner, string directory) : IAsyncDisposable
    {
        private int _fetches;

        public static async Task<Ring> StartAsync(string root, string name, RingSecret? secret)
        {
            var environment = secret is null ? PeerEnvironment.Real : PeerEnvironment.Real with { Codec = new AuthenticatedWireCodec(secret) };
            var directory = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            PeerOptions Options(ulong id) => new() { Id = id, Port = 0, PingInterval = TimeSpan.FromSeconds(2), DataPath = Path.Combine(directory, $"peer-{id}") };
            var entry = await PeerNode.StartAsync(Options(4), environment);
            var owner = await PeerNode.StartAsync(Options(9), environment);
            await owner.JoinAsync(new PeerLocator(entry.Id, entry.Contact.ToEndPoint()), TimeSpan.FromSeconds(10));
            while (!entry.Snapshot.Successors.SequenceEqual([9UL]))
                await Task.Delay(20);
            var source = Path.Combine(directory, "2055");
            await File.WriteAllBytesAsync(source, new byte[1024]);
            var stored = await entry.StoreAsync(source, null, null, TimeSpan.FromSeconds(10), default);
            if (stored.StoredAt != owner.Id)
                throw new InvalidOperationException($"The file landed at {stored.StoredAt}, not at the owner 9.");
            return new Ring(entry, owner, directory);
        }

        public async Task<double> FetchAsync()
        {
            var destination = Path.Combine(directory, $"fetched-{_fetches++ % 4}");
            var started = Stopwatch.GetTimestamp();
            await entry.FetchAsync("2055", destination, null, TimeSpan.FromSeconds(10), default);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        public async ValueTask DisposeAsync()
        {
            await entry.StopAsync();
            await owner.StopAsync();
        }
    }
}
