using System.Diagnostics.Metrics;

namespace DhtPs.Core.Diagnostics;

/// <summary>
/// The process-wide <see cref="Meter"/> "DhtPs": what every peer of the process did, for
/// <c>dotnet-counters monitor --counters DhtPs</c> and OpenTelemetry. Peers report through their <see cref="PeerMetrics"/>.
/// </summary>
public static class DhtMeter
{
    public const string Name = "DhtPs";

    private static readonly Meter Meter = new(Name, typeof(DhtMeter).Assembly.GetName().Version?.ToString(3));

    internal static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("dhtps.messages.sent", "{message}", "Messages sent, by kind.");
    internal static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>("dhtps.messages.received", "{message}", "Messages received, by kind.");
    internal static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("dhtps.bytes.sent", "By", "Bytes sent, by channel (message: frames of the protocol, stream: file transfers).");
    internal static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("dhtps.bytes.received", "By", "Bytes received, by channel (message, stream).");
    internal static readonly Counter<long> Refusals = Meter.CreateCounter<long>("dhtps.refusals", "{refusal}", "Requests refused, by reason and by who refused (here, remote).");
    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>("dhtps.failures", "{failure}", "Failures, by reason.");
    internal static readonly Histogram<int> Hops = Meter.CreateHistogram<int>("dhtps.route.hops", "{hop}", "Forwards a routed request took to reach its owner, by operation.");
    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("dhtps.request.duration", "s", "How long operations took, by operation and outcome.");
    internal static readonly Counter<long> FilesStored = Meter.CreateCounter<long>("dhtps.files.stored", "{file}", "Files this process's peers stored as their owner.");
    internal static readonly Counter<long> TransferBytes = Meter.CreateCounter<long>("dhtps.transfer.bytes", "By", "File bytes streamed, by direction (in, out) and purpose (store, fetch, handoff, takeover).");
    internal static readonly Counter<long> RepairFiles = Meter.CreateCounter<long>("dhtps.repair.files", "{file}", "Files moved to repair the ring (hand-off, take-over), by direction (in, out).");
}
