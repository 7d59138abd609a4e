using System.Security.Cryptography;

namespace DhtPs.Core.Storage;

/// <summary>
/// A file being written: content goes to a temporary file beside the destination (same directory, so the
/// final rename stays on one file system and is atomic), hashed and counted as it is written. Only
/// <see cref="CommitAsync"/> with the announced length and SHA-256 puts it in place, replacing an older
/// copy atomically; disposing an uncommitted file deletes the temporary file, so a failed or cut-off
/// write leaves nothing behind.
/// </summary>
public sealed class PartialFile : IAsyncDisposable
{
    public const string TempSuffix = ".partial";

    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _expectedSha256;
    private readonly Action? _committedCallback;
    private bool _committed;
    private bool _disposed;

    private PartialFile(string destinationPath, string tempPath, long expectedLength, byte[] expectedSha256, Action? committed)
    {
        _committedCallback = committed;
        DestinationPath = destinationPath;
        TempPath = tempPath;
        ExpectedLength = expectedLength;
        _expectedSha256 = expectedSha256;
        // Unbuffered: callers write whole chunks, a second buffer would only copy them again.
        _file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
    }

    public string DestinationPath { get; }
    public string TempPath { get; }
    public long ExpectedLength { get; }
    public long BytesWritten { get; private set; }

    /// <summary>Starts writing <paramref name="destinationPath"/>, whose directory must exist.</summary>
    public static PartialFile Create(string destinationPath, long expectedLength, string expectedSha256) =>
        Create(destinationPath, expectedLength, expectedSha256, committed: null);

    /// <param name="committed">Runs once the file is in place (a store records the verified digest).</param>
    internal static PartialFile Create(string destinationPath, long expectedLength, string expectedSha256, Action? committed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedLength);
        var digest = FileDigest.Parse(expectedSha256);
        var destination = Path.GetFullPath(destinationPath);
        var directory = Path.GetDirectoryName(destination)
            ?? throw new ArgumentException($"'{destinationPath}' is not a file path.", nameof(destinationPath));
        var temp = Path.Combine(directory, $"{FileName.ReservedPrefix}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}{TempSuffix}");
        return new PartialFile(destination, temp, expectedLength, digest, committed);
    }

    /// <summary>True for the names <see cref="Create"/> gives its temporary files.</summary>
    public static bool IsTempFileName(string name) =>
        name.StartsWith(FileName.ReservedPrefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal);

    /// <exception cref="FileContentMismatchException">More bytes than announced.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed || _committed, this);
        if (bytes.Length > ExpectedLength - BytesWritten)
            throw new FileContentMismatchException($"More than the announced {ExpectedLength} bytes arrived for {DestinationPath}.");
        _hash.AppendData(bytes.Span);
        await _file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        BytesWritten += bytes.Length;
    }

    /// <summary>Verifies length and SHA-256, makes the content durable, and renames it into place.</summary>
    /// <exception cref="FileContentMismatchException">Fewer bytes than announced, or a different SHA-256.</exception>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed || _committed, this);
        if (BytesWritten != ExpectedLength)
            throw new FileContentMismatchException($"{BytesWritten} bytes arrived for {DestinationPath}; {ExpectedLength} were announced.");
        var actual = _hash.GetHashAndReset();
        if (!actual.AsSpan().SequenceEqual(_expectedSha256))
            throw new FileContentMismatchException(
                $"SHA-256 of {DestinationPath} is {Convert.ToHexStringLower(actual)}; {Convert.ToHexStringLower(_expectedSha256)} was announced.");
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true); // the rename must never expose a file whose bytes are not on disk yet
        await _file.DisposeAsync().ConfigureAwait(false);
        File.Move(TempPath, DestinationPath, overwrite: true);
        _committed = true;
        _committedCallback?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        _hash.Dispose();
        await _file.DisposeAsync().ConfigureAwait(false);
        if (!_committed)
            File.Delete(TempPath);
    }
}
