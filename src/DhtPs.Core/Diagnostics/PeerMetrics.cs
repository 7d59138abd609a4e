using System.Diagnostics;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Diagnostics;

/// <summary>
/// One peer's reporter to <see cref="DhtMeter"/>; it keeps the peer's own totals for <see cref="Snapshot"/> too.
/// Thread-safe: transports, transfers and the logical thread all report.
/// </summary>
public sealed class PeerMetrics(ulong peerId)
{
    private long _sent, _received, _streamOut, _streamIn, _refusals, _failures, _requests, _routed, _hops, _ticks, _stored, _repair;

    public void MessageSent(Message message)
    {
        Interlocked.Increment(ref _sent);
        DhtMeter.MessagesSent.Add(1, new KeyValuePair<string, object?>("kind", message.GetType().Name));
        if (DhtMeter.BytesSent.Enabled)
            DhtMeter.BytesSent.Add(FrameLength(message), Messages);
    }

    public void MessageReceived(Message message)
    {
        Interlocked.Increment(ref _received);
        DhtMeter.MessagesReceived.Add(1, new KeyValuePair<string, object?>("kind", message.GetType().Name));
        if (DhtMeter.BytesReceived.Enabled)
            DhtMeter.BytesReceived.Add(FrameLength(message), Messages);
    }

    private static readonly KeyValuePair<string, object?> Messages = new("channel", "message");

    /// <summary>
    /// A message's length on the wire. The transports own the frames, so it is encoded once more here, and only while
    /// someone listens to the byte counters: no cost otherwise.
    /// </summary>
    private static int FrameLength(Message message) => MessageCodec.Encode(message, sequence: 0).Length;

    /// <summary>File bytes streamed; <paramref name="inbound"/> for bytes read.</summary>
    public void Streamed(bool inbound, string purpose, int bytes)
    {
        Interlocked.Add(ref inbound ? ref _streamIn : ref _streamOut, bytes);
        (inbound ? DhtMeter.BytesReceived : DhtMeter.BytesSent).Add(bytes, new KeyValuePair<string, object?>("channel", "stream"));
        DhtMeter.TransferBytes.Add(bytes, new("direction", inbound ? "in" : "out"), new("purpose", purpose));
    }

    /// <summary>A request refused, by this peer (<paramref name="here"/>) or by the peer it asked.</summary>
    public void Refused(ErrorCode reason, bool here)
    {
        Interlocked.Increment(ref _refusals);
        DhtMeter.Refusals.Add(1, new("reason", reason.ToString()), new("by", here ? "here" : "remote"));
    }

    public void Failed(string reason)
    {
        Interlocked.Increment(ref _failures);
        DhtMeter.Failures.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void FileStored()
    {
        Interlocked.Increment(ref _stored);
        DhtMeter.FilesStored.Add(1);
    }

    public void Repaired(bool inbound)
    {
        Interlocked.Increment(ref _repair);
        DhtMeter.RepairFiles.Add(1, new KeyValuePair<string, object?>("direction", inbound ? "in" : "out"));
    }

    /// <summary>
    /// Times <paramref name="operation"/> until it ends and reports its duration, outcome and (when it succeeded) its hops;
    /// a failure is reported under the reason <paramref name="reasonOf"/> gives. Returns the operation unchanged.
    /// </summary>
    public async Task<T> Measure<T>(string operation, Task<T> task, Func<T, int?> hopsOf, Func<Exception, string> reasonOf)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await task.ConfigureAwait(false);
            Completed(operation, "ok", Stopwatch.GetElapsedTime(started), hopsOf(result));
            return result;
        }
        catch (Exception e)
        {
            var reason = reasonOf(e);
            Completed(operation, reason, Stopwatch.GetElapsedTime(started), hops: null);
            Failed($"{operation}:{reason}");
            throw;
        }
    }

    private void Completed(string operation, string outcome, TimeSpan elapsed, int? hops)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _ticks, elapsed.Ticks);
        var op = new KeyValuePair<string, object?>("operation", operation);
        DhtMeter.Duration.Record(elapsed.TotalSeconds, op, new("outcome", outcome));
        if (hops is { } h)
        {
            Interlocked.Increment(ref _routed);
            Interlocked.Add(ref _hops, h);
            DhtMeter.Hops.Record(h, op);
        }
    }

    public PeerStatistics Snapshot()
    {
        var requests = Interlocked.Read(ref _requests);
        var routed = Interlocked.Read(ref _routed);
        return new PeerStatistics(peerId,
            Interlocked.Read(ref _sent), Interlocked.Read(ref _received),
            Interlocked.Read(ref _streamOut), Interlocked.Read(ref _streamIn),
            Interlocked.Read(ref _refusals), Interlocked.Read(ref _failures),
            requests,
            routed == 0 ? 0 : (double)Interlocked.Read(ref _hops) / routed,
            requests == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref _ticks) / requests),
            Interlocked.Read(ref _stored), Interlocked.Read(ref _repair));
    }
}
