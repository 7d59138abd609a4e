using DhtPs.Core.Storage;

namespace DhtPs.Core.Diagnostics;

/// <summary>One member's copy of a file, as its index records it: the version, the SHA-256 recorded at store time, or a tombstone.</summary>
public sealed record DhtFileCopy(ulong PeerId, FileVersion Version, string Sha256, bool Removed);

/// <summary>
/// A file of Test-DhtRing's report: its key, its latest version anywhere on the ring (a tombstone when <see cref="Removed"/>),
/// the members that should hold it (its owner, the first member at or after its key, and the next r - 1), and every copy
/// the members hold. Under-replicated: fewer expected holders than r hold the latest version; inconsistent: some copy
/// holds another version or other bytes, or lies outside the expected holders.
/// </summary>
public sealed record DhtRingFile(string Name, ulong Key, FileVersion Version, bool Removed, IReadOnlyList<ulong> Expected, IReadOnlyList<DhtFileCopy> Copies)
{
    public ulong? Owner => Expected.Count > 0 ? Expected[0] : null;

    /// <summary>The members that hold the latest version (its tombstone, for a removed file).</summary>
    public IReadOnlyList<ulong> Holders => [.. Copies.Where(IsLatest).Select(c => c.PeerId)];

    public bool IsUnderReplicated => !Removed && Expected.Count(id => Holders.Contains(id)) < Expected.Count;

    public bool IsInconsistent => Copies.Any(c => !IsLatest(c) && !c.Removed || !c.Removed && !Expected.Contains(c.PeerId));

    private bool IsLatest(DhtFileCopy copy) =>
        copy.Version == Version && copy.Removed == Removed && (Removed || copy.Sha256 == LatestSha256);

    private string? LatestSha256 => Copies.Where(c => c.Version == Version && !c.Removed).Select(c => c.Sha256).GroupBy(s => s).MaxBy(g => g.Count())?.Key;
}
