namespace DhtPs.Core.Storage;

/// <summary>
/// What a peer's index records for one stored name: the version it holds, the SHA-256 and length recorded when that
/// version was stored (verified then, and what every reader checks the bytes against), and, for a removed file, when
/// it was removed (a tombstone: no bytes, kept until it expires so that no stale copy brings the file back).
/// <see cref="Stamp"/> is the data file's length and write time at commit: a file changed behind the index's back
/// (a crash between the rename and the index write) no longer matches it and is looked at again.
/// </summary>
public sealed record FileRecord(string Name, FileVersion Version, string Sha256, long Length, DateTimeOffset? RemovedAt = null, FileStamp? Stamp = null)
{
    public bool IsTombstone => RemovedAt is not null;
}
