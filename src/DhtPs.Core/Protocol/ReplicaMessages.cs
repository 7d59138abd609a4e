using System.Text.Json.Serialization;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Protocol;

/// <summary>
/// One file an owner holds for a range of keys: its name, its version and the SHA-256 recorded when it was stored; or,
/// <see cref="Removed"/>, the tombstone of a name removed at that version.
/// </summary>
public sealed record ReplicaEntry
{
    public required string Name { get; init; }
    public required string Sha256 { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public FileVersion Version { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Removed { get; init; }

    public static ReplicaEntry Of(StoredFile file) => new() { Name = file.Name, Sha256 = file.Sha256, Version = file.Version };

    public static ReplicaEntry Of(FileRecord record) => new() { Name = record.Name, Sha256 = record.Sha256, Version = record.Version, Removed = record.IsTombstone };

    /// <summary>
    /// One SHA-256 over a range's entries in name order (name, version, digest, tombstone): two peers that hold the same
    /// writes of a range compute the same, so an anti-entropy round that finds nothing to repair costs one small message.
    /// </summary>
    public static string DigestOf(IEnumerable<ReplicaEntry> entries)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{entry.Name}\n{entry.Version}\n{entry.Sha256}\n{(entry.Removed ? 1 : 0)}\n"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>
/// An owner tells one of its next r - 1 successors which files it holds for its range (<see cref="After"/>, sender]:
/// the replica answers with a <see cref="ReplicaSyncReply"/> naming the ones it lacks (the owner uploads them,
/// <see cref="UploadPurpose.Replica"/>), and uploads to the owner the files of that range it holds and the owner does not list.
/// </summary>
public sealed record ReplicaSync : Message
{
    /// <summary>The owner's first predecessor: its range starts after it.</summary>
    public required ulong After { get; init; }

    public required IReadOnlyList<ReplicaEntry> Files { get; init; }

    /// <summary>
    /// Set instead of <see cref="Files"/> (then empty) on an owner's periodic round: the <see cref="ReplicaEntry.DigestOf"/>
    /// of its whole range. A holder whose own entries of the range give the same answers <see cref="ReplicaSyncReply.InSync"/>;
    /// otherwise the owner sends the lists.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Digest { get; init; }
}

/// <summary>
/// The names of a <see cref="ReplicaSync"/> the replica does not hold at the listed version, and the tombstones it holds
/// above a listed version (<see cref="Removed"/>: the owner missed a removal, and records it too).
/// </summary>
public sealed record ReplicaSyncReply : Message
{
    public required IReadOnlyList<string> Missing { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReplicaEntry>? Removed { get; init; }

    /// <summary>The answer to a digest-only sync: the holder's entries of the range give the same digest, nothing to repair.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool InSync { get; init; }
}

/// <summary>
/// An owner whose next r - 1 successors have confirmed every file of its range (<see cref="After"/>, sender] tells a
/// peer beyond them, no longer one of their holders, to drop its copies of <see cref="Files"/>. Answered with a <see cref="ReplicaReleaseReply"/>.
/// </summary>
public sealed record ReplicaRelease : Message
{
    public required ulong After { get; init; }

    public required IReadOnlyList<ReplicaEntry> Files { get; init; }
}

/// <summary>The names of a <see cref="ReplicaRelease"/> the receiver keeps: it owns their keys itself, as far as it knows.</summary>
public sealed record ReplicaReleaseReply : Message
{
    public required IReadOnlyList<string> Kept { get; init; }
}
