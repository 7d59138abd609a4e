namespace DhtPs.Core.Storage;

/// <summary>Content that does not match the length or SHA-256 announced for it; nothing was stored.</summary>
public sealed class FileContentMismatchException(string message) : IOException(message);
