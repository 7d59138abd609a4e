using System.Buffers;
using System.Security.Cryptography;

namespace DhtPs.Core.Storage;

/// <summary>SHA-256 digests of file content, written as 64 lowercase hex digits everywhere a person may see them.</summary>
public static class FileDigest
{
    /// <summary>The SHA-256 of no bytes: what a tombstone records when the removed file's digest was never known here.</summary>
    public const string Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public const int Length = SHA256.HashSizeInBytes;

    /// <summary>
    /// Large reads, two buffers in turn: the next block is read from the disk while this one is hashed.
    /// (SHA256.HashDataAsync reads 4 KiB at a time, a system call and a thread-pool hop each on an unbuffered file.)
    /// </summary>
    private const int BlockLength = 1 << 20;

    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await AppendAsync(content, hash, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Hashes the rest of <paramref name="content"/> into <paramref name="hash"/>.</summary>
    internal static async Task AppendAsync(Stream content, IncrementalHash hash, CancellationToken cancellationToken)
    {
        byte[][] blocks = [ArrayPool<byte>.Shared.Rent(BlockLength), ArrayPool<byte>.Shared.Rent(BlockLength)];
        ValueTask<int> reading = default;
        try
        {
            reading = content.ReadAtLeastAsync(blocks[0].AsMemory(0, BlockLength), BlockLength, throwOnEndOfStream: false, cancellationToken);
            for (var turn = 0; ; turn++)
            {
                var pending = reading;
                reading = default; // awaited once, here, even when it fails
                var read = await pending.ConfigureAwait(false);
                if (read == 0)
                    break;
                if (read == BlockLength)
                    reading = content.ReadAtLeastAsync(blocks[(turn + 1) % 2].AsMemory(0, BlockLength), BlockLength, throwOnEndOfStream: false, cancellationToken);
                hash.AppendData(blocks[turn % 2], 0, read);
                if (read < BlockLength)
                    break;
            }
        }
        finally
        {
            // A failure above may leave a read in flight: its buffer must outlive it.
            try
            {
                await reading.ConfigureAwait(false);
            }
            catch
            {
                // The failure that matters is the one already on its way.
            }
            foreach (var block in blocks)
                ArrayPool<byte>.Shared.Return(block);
        }
    }

    /// <summary>True for 64 hex digits, as every digest on the wire is written.</summary>
    public static bool IsWellFormed(string? sha256) => sha256 is { Length: Length * 2 } && sha256.All(char.IsAsciiHexDigit);

    /// <summary>The 32 digest bytes of a hex string (either case).</summary>
    public static byte[] Parse(string sha256)
    {
        if (!IsWellFormed(sha256))
            throw new ArgumentException($"A SHA-256 digest is {Length * 2} hex digits, got '{sha256}'.", nameof(sha256));
        return Convert.FromHexString(sha256);
    }
}
