using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DhtPs.Core.Diagnostics;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Diagnostics;

/// <summary>The "DhtPs" Meter as a MeterListener (dotnet-counters, OpenTelemetry) sees it, after a real store and fetch.</summary>
public sealed class DhtMeterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _temp = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();
    private PeerNode _ten = null!, _twenty = null!;

    public async Task InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DhtMeter.Name)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();

        _ten = await PeerNode.StartAsync(new PeerOptions { Id = 10, Port = 0, PingInterval = TimeSpan.FromMilliseconds(200), DataPath = _temp.File("peer10") });
        _twenty = await PeerNode.StartAsync(new PeerOptions { Id = 20, Port = 0, PingInterval = TimeSpan.FromMilliseconds(200), DataPath = _temp.File("peer20") });
        await _twenty.JoinAsync(new PeerLocator(10, _ten.Contact.ToEndPoint()), Patience);
        await Eventually.Holds(() => _twenty.Snapshot.Predecessors.FirstOrDefault() == 10, "peer 20 knows its predecessor 10");
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _ten.StopAsync();
        await _twenty.StopAsync();
        _temp.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
            copy[tag.Key] = tag.Value?.ToString();
        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private double Sum(string instrument, params (string Key, string Value)[] tags) => _measurements
        .Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value))
        .Sum(m => m.Value);

    [Fact]
    public async Task A_store_and_a_get_show_in_messages_bytes_hops_durations_and_files_stored()
    {
        var content = TestContent.Random(50_000, seed: 7);
        var local = _temp.File("0015");
        await File.WriteAllBytesAsync(local, content);

        var stored = await _ten.StoreAsync(local, null, null, Patience, default);
        var fetched = await _ten.FetchAsync("0015", _temp.File("copy"), null, Patience, default);

        Assert.Equal(20UL, stored.StoredAt);
        Assert.Equal(content, await File.ReadAllBytesAsync(_temp.File("copy")));
        Assert.True(Sum("dhtps.messages.sent", ("kind", "StoreRequest")) >= 1);
        Assert.True(Sum("dhtps.messages.received", ("kind", "FetchRequest")) >= 1);
        Assert.True(Sum("dhtps.transfer.bytes", ("direction", "out"), ("purpose", "store")) >= content.Length);
        Assert.True(Sum("dhtps.transfer.bytes", ("direction", "in"), ("purpose", "fetch")) >= content.Length);
        Assert.True(Sum("dhtps.bytes.sent", ("channel", "message")) > 0);
        Assert.True(Sum("dhtps.files.stored") >= 1);
        Assert.Contains(_measurements, m => m.Instrument == "dhtps.request.duration" && m.Tags["operation"] == "store" && m.Tags["outcome"] == "ok");
        Assert.Contains(_measurements, m => m.Instrument == "dhtps.request.duration" && m.Tags["operation"] == "fetch" && m.Tags["outcome"] == "ok");
        Assert.Contains(_measurements, m => m.Instrument == "dhtps.route.hops" && m.Tags["operation"] == "fetch" && m.Value == fetched.Hops);

        var statistics = _ten.Statistics;
        Assert.Equal(10UL, statistics.PeerId);
        Assert.True(statistics.TransferBytesSent >= content.Length && statistics.TransferBytesReceived >= content.Length);
        Assert.Equal(2, statistics.Requests); // the store and the fetch; the join was peer 20's
        Assert.Equal(1, _twenty.Statistics.Requests);
        Assert.Equal(1, _twenty.Statistics.FilesStored);
    }

    [Fact]
    public async Task A_file_that_is_not_there_counts_as_a_failure_by_reason()
    {
        await Assert.ThrowsAsync<DhtFileException>(() => _ten.FetchAsync("0099", _temp.File("none"), null, Patience, default));

        Assert.True(Sum("dhtps.failures", ("reason", "fetch:NotFound")) >= 1);
        Assert.Contains(_measurements, m => m.Instrument == "dhtps.request.duration" && m.Tags["operation"] == "fetch" && m.Tags["outcome"] == "NotFound");
        Assert.Equal(1, _ten.Statistics.Failures);
    }
}
