namespace DhtPs.Core.Storage;

/// <summary>A file held in a <see cref="FileStore"/>.</summary>
public sealed record StoredFile(string Name, ulong Key, long Length, string Sha256);
