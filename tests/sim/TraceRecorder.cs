using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using DhtPs.Core.Peer;

namespace DhtPs.Simulation;

/// <summary>
/// Hashes everything that happened in a run (every peer event and every operation, with its simulated time),
/// so two runs of one seed can be compared bit for bit. Optionally echoes the trace as text for a replay.
/// </summary>
public sealed class TraceRecorder(TextWriter? echo = null)
{
    private readonly XxHash64 _hash = new();
    private readonly byte[] _buffer = new byte[1024];

    public long Entries { get; private set; }

    public ulong Hash => _hash.GetCurrentHashAsUInt64();

    public void Record(DhtEvent raised, TimeSpan elapsed)
    {
        var header = _buffer.AsSpan(0, 28);
        BinaryPrimitives.WriteInt64LittleEndian(header, elapsed.Ticks);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], raised.PeerId);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], (int)raised.Kind);
        BinaryPrimitives.WriteUInt64LittleEndian(header[20..], raised.RemotePeerId ?? ulong.MaxValue);
        _hash.Append(header);
        AppendText(raised.Message);
        echo?.WriteLine($"{elapsed.TotalSeconds,10:0.0000}  peer {raised.PeerId,-6} {raised.Kind,-22} {raised.Message}{(raised.Evidence is { } evidence ? $"  [{evidence}]" : "")}");
    }

    public void Record(string operation, TimeSpan elapsed)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, elapsed.Ticks);
        _hash.Append(header);
        AppendText(operation);
        echo?.WriteLine($"{elapsed.TotalSeconds,10:0.0000}  ** {operation}");
    }

    private void AppendText(string text)
    {
        Entries++;
        var bytes = Encoding.UTF8.GetMaxByteCount(text.Length) <= _buffer.Length
            ? _buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, _buffer))
            : Encoding.UTF8.GetBytes(text);
        _hash.Append(bytes);
    }
}
