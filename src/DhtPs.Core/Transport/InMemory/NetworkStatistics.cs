namespace DhtPs.Core.Transport.InMemory;

/// <summary>What an <see cref="InMemoryNetwork"/> did with the traffic it carried, so a test can show its faults really happened.</summary>
public sealed class NetworkStatistics
{
    public long DatagramsSent { get; internal set; }
    public long DatagramsDelivered { get; internal set; }
    public long DatagramsLost { get; internal set; }
    public long DatagramsDuplicated { get; internal set; }
    public long DatagramsReordered { get; internal set; }

    /// <summary>Dropped because an end was crashed, partitioned away, or not bound.</summary>
    public long DatagramsUndeliverable { get; internal set; }

    public long RequestsSent { get; internal set; }
    public long RequestsAnswered { get; internal set; }
    public long RequestsFailed { get; internal set; }

    public void Add(NetworkStatistics other)
    {
        DatagramsSent += other.DatagramsSent;
        DatagramsDelivered += other.DatagramsDelivered;
        DatagramsLost += other.DatagramsLost;
        DatagramsDuplicated += other.DatagramsDuplicated;
        DatagramsReordered += other.DatagramsReordered;
        DatagramsUndeliverable += other.DatagramsUndeliverable;
        RequestsSent += other.RequestsSent;
        RequestsAnswered += other.RequestsAnswered;
        RequestsFailed += other.RequestsFailed;
    }

    public override string ToString() =>
        $"datagrams {DatagramsSent} sent, {DatagramsDelivered} delivered, {DatagramsLost} lost, {DatagramsDuplicated} duplicated, " +
        $"{DatagramsReordered} reordered, {DatagramsUndeliverable} undeliverable; requests {RequestsSent} sent, {RequestsAnswered} answered, {RequestsFailed} failed";
}
