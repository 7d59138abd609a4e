namespace DhtPs.Core.Storage;

/// <summary>What a file system knows about a file without reading it: enough to tell whether it changed.</summary>
public readonly record struct FileStamp(long Length, DateTime LastWriteUtc);
