using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// Anti-entropy against bit rot: the range digests of a replication pass compare what the index records, so bytes that
/// rot on disk behind an unchanged record are found only by reading them. Each pass rereads a bounded share of this
/// peer's files, in name order from where the last one stopped, and drops a copy whose bytes no longer match the digest
/// recorded at store time; the next pass (the owner's, or the holders giving back what the owner lacks) copies a good one.
/// </summary>
internal sealed partial class FileService
{
    /// <summary>How many bytes one pass rereads at most: every file is checked within a bounded number of passes, at a bounded cost per pass.</summary>
    private const long ScrubBytesPerPass = 16L * 1024 * 1024;

    /// <summary>The last name the scrub checked; the next pass goes on after it (null: from the first). Touched only on the logical thread.</summary>
    private string? _scrubbedUpTo;

    /// <summary>Off the logical thread: checks files after <paramref name="after"/> until <see cref="ScrubBytesPerPass"/> are read; returns where to go on.</summary>
    private async Task<string?> ScrubAsync(string? after)
    {
        if (!MayHoldFiles)
            return null;
        var names = Files.Names().Where(name => after is null || string.CompareOrdinal(name, after) > 0).ToArray();
        long read = 0;
        foreach (var name in names)
        {
            StoredFile stored;
            try
            {
                stored = Files.GetInfo(name);
            }
            catch (IOException)
            {
                continue; // gone or changing meanwhile
            }
            await DropIfCorruptAsync(stored, Self.Id).ConfigureAwait(false);
            read += stored.Length;
            if (read >= ScrubBytesPerPass)
                return name;
        }
        return null; // round complete: the next pass starts again from the first name
    }
}
