namespace DhtPs.Commands;

/// <summary>
/// Marks a New-DhtTestRing parameter that each member's Start-DhtPeer gets by the same name: declaring one more
/// such parameter is all it takes to pass another Start-DhtPeer parameter through.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class PassedToStartDhtPeerAttribute : Attribute
{
    /// <summary>Passed even when not given, because the test ring's default differs from Start-DhtPeer's.</summary>
    public bool Always { get; init; }
}
