using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Bench;

/// <summary>
/// One file over real loopback TCP twice: a plain socket copy (file -> socket -> file, fsync) as the baseline,
/// then DhtPs's framed, CRC-checked, SHA-256-verified transfer into a FileStore.
/// </summary>
internal static class TransferBenchmark
{
    private const int GenerateBlock = 1 << 20;

    private const long WarmUpSize = 64L << 20;

    public static async Task<int> RunAsync(long size, int seed)
    {
        var work = Directory.CreateTempSubdirectory("dhtps-bench-");
        try
        {
            Console.WriteLine($"DhtPs transfer benchmark: {ByteSize.Format(size)}, seed {seed}, {Environment.ProcessorCount} CPUs, {RuntimeOsDescription()}");
            // Tiered JIT makes the first pass through each path slower; warm both up on a small file first.
            var warmUp = Path.Combine(work.FullName, "warm-up.bin");
            var warmUpSha256 = await GenerateAsync(warmUp, WarmUpSize, seed);
            await RunBothAsync(work.FullName, "warm-up", warmUp, WarmUpSize, warmUpSha256, "warm-up ");

            var source = Path.Combine(work.FullName, "source.bin");
            var sha256 = await GenerateAsync(source, size, seed);
            Console.WriteLine($"generated {source} (SHA-256 {sha256})");
            var (baseline, dhtps, stored) = await RunBothAsync(work.FullName, "measured", source, size, sha256, "");

            await using var written = stored.Open(Path.GetFileName(source));
            var rehashed = Convert.ToHexStringLower(await SHA256.HashDataAsync(written));
            var matches = stored.GetInfo(Path.GetFileName(source)).Sha256 == sha256 && rehashed == sha256;
            Console.WriteLine($"SHA-256 of the stored copy, rehashed from disk: {rehashed} -> {(matches ? "MATCH" : "MISMATCH")}");
            Console.WriteLine($"DhtPs takes {dhtps / baseline:0.00}x the raw copy's time ({baseline / dhtps:P0} of its throughput)");
            return matches ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The raw copy, then the DhtPs transfer of the same file into a fresh store.</summary>
    private static async Task<(TimeSpan Raw, TimeSpan DhtPs, FileStore Store)> RunBothAsync(
        string work, string label, string source, long size, string sha256, string prefix)
    {
        var rawCopy = Path.Combine(work, $"{label}-raw.bin");
        var raw = await MeasureAsync(prefix + "raw TCP copy", size, (send, receive) => RawCopyAsync(source, rawCopy, send, receive));
        File.Delete(rawCopy);

        var store = new FileStore(Path.Combine(work, $"{label}-store"), new IdSpace(8));
        var header = new TransferHeader(Path.GetFileName(source), size, sha256);
        var dhtps = await MeasureAsync(prefix + "DhtPs transfer", size, async (send, receive) =>
        {
            var sending = Task.Run(async () =>
            {
                await using var content = File.OpenRead(source);
                await FileSender.SendAsync(send, header, content, progress: null, default);
            });
            await FileReceiver.ReceiveIntoAsync(receive, store, maxLength: size, progress: null, default);
            await sending;
        });
        return (raw, dhtps, store);
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
        file.Flush(flushToDisk: true); // so neither measured phase pays for writing back the generated file
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

    /// <summary>Runs one phase over a fresh loopback connection and prints time, throughput and memory.</summary>
    private static async Task<TimeSpan> MeasureAsync(string name, long size, Func<Stream, Stream, Task> phase)
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
        var peakBefore = MemorySampler.LifetimePeakWorkingSet();
        var stopwatch = Stopwatch.StartNew();
        var sampler = new MemorySampler();
        await using (sampler)
            await phase(client.GetStream(), server.GetStream());
        stopwatch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Console.WriteLine($"{name,-23} {stopwatch.Elapsed.TotalSeconds,7:0.000} s  {size / stopwatch.Elapsed.TotalSeconds / (1 << 20),8:0.0} MiB/s  " +
            $"working set {ByteSize.Format(sampler.Before)} -> peak {ByteSize.Format(sampler.Peak)} (growth {ByteSize.Format(sampler.Peak - sampler.Before)}), " +
            $"PeakWorkingSet64 {ByteSize.Format(peakBefore)} -> {ByteSize.Format(MemorySampler.LifetimePeakWorkingSet())}, allocated {ByteSize.Format(allocated)}");
        return stopwatch.Elapsed;
    }
}
