using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Bench;

/// <summary>
/// One file over real loopback TCP, alternately as a plain socket copy (file -> socket -> file, fsync) and as
/// DhtPs's framed, CRC-checked, SHA-256-verified transfer into a FileStore. The disk's speed swings from one run
/// to the next, so a single pair proves nothing: each round measures both back to back, and the median of the
/// rounds' ratios (with their spread) is the figure.
/// </summary>
internal static class TransferBenchmark
{
    private const int GenerateBlock = 1 << 20;

    private const long WarmUpSize = 64L << 20;

    public static async Task<int> RunAsync(long size, int seed, int rounds)
    {
        var work = Directory.CreateTempSubdirectory("dhtps-bench-");
        try
        {
            Console.WriteLine($"DhtPs transfer benchmark: {ByteSize.Format(size)}, seed {seed}, {rounds} rounds, {Environment.ProcessorCount} CPUs, {RuntimeOsDescription()}");
            Console.WriteLine($"load average at start: {LoadAverage()}");
            Console.WriteLine(HashSpeeds());
            // Tiered JIT makes the first pass through each path slower; warm both up on a small file first.
            var warmUp = Path.Combine(work.FullName, "warm-up.bin");
            var warmUpSha256 = await GenerateAsync(warmUp, WarmUpSize, seed);
            await MeasureRawAsync(work.FullName, warmUp, WarmUpSize, "warm-up raw TCP copy");
            await MeasureDhtPsAsync(work.FullName, warmUp, WarmUpSize, warmUpSha256, "warm-up DhtPs transfer");

            var source = Path.Combine(work.FullName, "source.bin");
            var sha256 = await GenerateAsync(source, size, seed);
            Console.WriteLine($"generated {source} (SHA-256 {sha256})");

            var results = new List<Round>();
            var allMatch = true;
            for (var round = 1; round <= rounds; round++)
            {
                // Alternate which goes first, so neither always inherits the other's write-back.
                var rawFirst = round % 2 == 1;
                Phase raw = default, dhtps = default;
                bool matches = false;
                for (var turn = 0; turn < 2; turn++)
                {
                    if ((turn == 0) == rawFirst)
                        raw = await MeasureRawAsync(work.FullName, source, size, $"round {round} raw TCP copy");
                    else
                        (dhtps, matches) = await MeasureDhtPsAsync(work.FullName, source, size, sha256, $"round {round} DhtPs transfer");
                }
                allMatch &= matches;
                results.Add(new Round(raw, dhtps));
                Console.WriteLine($"round {round}: DhtPs at {raw.Seconds / dhtps.Seconds:0.00}x the raw copy's speed, SHA-256 rehashed from disk {(matches ? "MATCH" : "MISMATCH")}, load {LoadAverage()}");
            }

            var ratios = results.Select(r => r.Raw.Seconds / r.DhtPs.Seconds).Order().ToArray();
            var cpuRatios = results.Select(r => r.DhtPs.CpuSeconds / r.Raw.CpuSeconds).Order().ToArray();
            Console.WriteLine();
            Console.WriteLine($"summary: DhtPs speed / raw speed, median {Median(ratios):0.00}x, spread {ratios[0]:0.00}x-{ratios[^1]:0.00}x over {rounds} rounds " +
                $"({string.Join(", ", results.Select(r => $"{r.Raw.Seconds / r.DhtPs.Seconds:0.00}"))} in run order)");
            Console.WriteLine($"summary: time raw median {Median(results.Select(r => r.Raw.Seconds)):0.000} s, DhtPs median {Median(results.Select(r => r.DhtPs.Seconds)):0.000} s");
            Console.WriteLine($"summary: process CPU time raw median {Median(results.Select(r => r.Raw.CpuSeconds)):0.000} s, DhtPs median {Median(results.Select(r => r.DhtPs.CpuSeconds)):0.000} s (DhtPs / raw median {Median(cpuRatios):0.00}x)");
            Console.WriteLine($"summary: peak working-set growth raw max {ByteSize.Format(results.Max(r => r.Raw.GrowthBytes))}, DhtPs max {ByteSize.Format(results.Max(r => r.DhtPs.GrowthBytes))}");
            Console.WriteLine($"summary: every stored copy rehashed from disk: {(allMatch ? "MATCH" : "MISMATCH")}; load average at end: {LoadAverage()}");
            return allMatch ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private readonly record struct Phase(double Seconds, double CpuSeconds, long GrowthBytes);

    private readonly record struct Round(Phase Raw, Phase DhtPs);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), so each figure says how busy the shared machine was.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static async Task<Phase> MeasureRawAsync(string work, string source, long size, string name)
    {
        var copy = Path.Combine(work, "raw-copy.bin");
        var phase = await MeasureAsync(name, size, (send, receive) => RawCopyAsync(source, copy, send, receive));
        File.Delete(copy);
        return phase;
    }

    /// <summary>The DhtPs transfer of the file into a fresh store; true when the stored copy rehashes to the announced SHA-256.</summary>
    private static async Task<(Phase Phase, bool Matches)> MeasureDhtPsAsync(string work, string source, long size, string sha256, string name)
    {
        var directory = Path.Combine(work, "store");
        var store = new FileStore(directory, new IdSpace(8));
        var fileName = Path.GetFileName(source);
        var header = new TransferHeader(fileName, size, sha256);
        var phase = await MeasureAsync(name, size, async (send, receive) =>
        {
            var sending = Task.Run(async () =>
            {
                await using var content = File.OpenRead(source);
                await FileSender.SendAsync(send, header, content, progress: null, default);
            });
            await FileReceiver.ReceiveIntoAsync(receive, store, maxLength: size, progress: null, default);
            await sending;
        });
        bool matches;
        await using (var written = store.Open(fileName))
            matches = Convert.ToHexStringLower(await SHA256.HashDataAsync(written)) == sha256 && store.GetInfo(fileName).Sha256 == sha256;
        Directory.Delete(directory, recursive: true);
        return (phase, matches);
    }

    /// <summary>What the CPU alone gives for the two checksums every byte of a transfer passes, in memory: the floor under the transfer's own cost.</summary>
    private static string HashSpeeds()
    {
        var block = new byte[1 << 20];
        new Random(7).NextBytes(block);
        const int Blocks = 256;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < Blocks; i++)
            sha256.AppendData(block);
        sha256.GetHashAndReset();
        var shaSeconds = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        for (var i = 0; i < Blocks; i++)
            System.IO.Hashing.Crc32.HashToUInt32(block);
        var crcSeconds = stopwatch.Elapsed.TotalSeconds;
        return $"in memory, one core: SHA-256 {Blocks / shaSeconds:0} MiB/s, CRC-32 {Blocks / crcSeconds:0} MiB/s";
    }

    private static string RuntimeOsDescription() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()} {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";

    private static async Task<string> GenerateAsync(string path, long size, int seed)
    {
        var random = new Random(seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[GenerateBlock];
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long done = 0; done < size; done += GenerateBlock)
        {
            var length = (int)Math.Min(GenerateBlock, size - done);
            random.NextBytes(block.AsSpan(0, length));
            hash.AppendData(block.AsSpan(0, length));
            await file.WriteAsync(block.AsMemory(0, length));
        }
        file.Flush(flushToDisk: true); // so no measured phase pays for writing back the generated file
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task RawCopyAsync(string source, string destination, Stream send, Stream receive)
    {
        var sending = Task.Run(async () =>
        {
            await using var content = File.OpenRead(source);
            await content.CopyToAsync(send);
            send.Close(); // the receiver copies until end of stream
        });
        await using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
        {
            await receive.CopyToAsync(output);
            output.Flush(flushToDisk: true); // as a FileStore commit does, so the ratio is not a measure of fsync
        }
        await sending;
    }

    /// <summary>Runs one phase over a fresh loopback connection and prints time, throughput, CPU and memory.</summary>
    private static async Task<Phase> MeasureAsync(string name, long size, Func<Stream, Stream, Task> phase)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        await connecting;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var sampler = new MemorySampler();
        await using (sampler)
            await phase(client.GetStream(), server.GetStream());
        stopwatch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-27} {seconds,7:0.000} s  {size / seconds / (1 << 20),8:0.0} MiB/s  CPU {cpu.TotalSeconds,6:0.000} s  " +
            $"working set {ByteSize.Format(sampler.Before)} -> peak {ByteSize.Format(sampler.Peak)} (growth {ByteSize.Format(sampler.Peak - sampler.Before)}), " +
            $"allocated {ByteSize.Format(allocated)}");
        return new Phase(seconds, cpu.TotalSeconds, sampler.Peak - sampler.Before);
    }
}
