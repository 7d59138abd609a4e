namespace DhtPs.Core.Peer;

public enum LookupFailure
{
    /// <summary>A peer on the way could pass the lookup to none of the peers it knows.</summary>
    Unroutable,

    /// <summary>No answer came within the time allowed.</summary>
    TimedOut,

    /// <summary>The peer is not running (it is joining, departing or stopped).</summary>
    NotRunning,
}

/// <summary>A lookup that found no owner.</summary>
public sealed class LookupException(LookupFailure failure, string message) : Exception(message)
{
    public LookupFailure Failure { get; } = failure;
}
