namespace DhtPs.Core.Storage;

/// <summary>A file held in a <see cref="FileStore"/>: its SHA-256 and length are the ones recorded when this version was stored.</summary>
public sealed record StoredFile(string Name, ulong Key, long Length, string Sha256)
{
    public FileVersion Version { get; init; }
}
