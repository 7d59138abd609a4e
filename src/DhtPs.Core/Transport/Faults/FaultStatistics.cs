namespace DhtPs.Core.Transport.Faults;

/// <summary>What a <see cref="FaultInjectingNetwork"/> has done so far, over every transport it bound.</summary>
public sealed record FaultStatistics(
    long DatagramsSentDropped,
    long DatagramsSentDelayed,
    long DatagramsReceivedDropped,
    long DatagramsReceivedDelayed,
    long ConnectsDropped,
    long ConnectsDelayed)
{
    public override string ToString() =>
        $"datagrams sent: {DatagramsSentDropped} dropped, {DatagramsSentDelayed} delayed; received: {DatagramsReceivedDropped} dropped, " +
        $"{DatagramsReceivedDelayed} delayed; connects: {ConnectsDropped} dropped, {ConnectsDelayed} delayed";
}
