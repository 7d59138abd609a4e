namespace DhtPs.Core.Storage;

/// <summary>A file name that could escape a peer's data directory or is not portable across systems.</summary>
public sealed class UnsafeFileNameException(string? name, string reason)
    : ArgumentException($"'{name}' is not a safe file name: {reason}.", nameof(name))
{
    public string? FileName { get; } = name;
    public string Reason { get; } = reason;
}
