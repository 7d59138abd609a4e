using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.InMemory;

/// <summary>One datagram copy on its way; whether it arrives is decided when its delay is over.</summary>
internal sealed class DatagramInFlight(InMemoryNetwork network, IPEndPoint from, IPEndPoint to, uint sequence, Wire payload)
{
    public void Arrive()
    {
        // A receiver that crashed or unbound, or a partition that formed, while it was in flight also drops it.
        if (network.Receiver(from, to) is not { } target)
        {
            network.Statistics.DatagramsUndeliverable++;
            return;
        }
        network.Statistics.DatagramsDelivered++;
        if (payload.Object is { } message)
            target.Ingest.Datagram(from, sequence, message);
        else
            target.Ingest.Datagram(from, payload.Frame);
    }
}
