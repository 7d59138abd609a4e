namespace DhtPs.Core.Storage;

/// <summary>A file name that could escape a peer's data directory or is not portable across systems.</summary>
public sealed class UnsafeFileNameException(string? name, string reason)
    : ArgumentException($"'{name}' is not a safe file name: {reason}.", nameof(name))
{
    public string? FileName { get; } = name;

    /// <summary>Without ArgumentException's "(Parameter 'name')": the name is the user's, not a parameter of ours.</summary>
    public override string Message => $"'{FileName}' is not a safe file name: {Reason}.";
    public string Reason { get; } = reason;
}
