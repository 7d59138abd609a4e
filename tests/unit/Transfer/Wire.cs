using System.Buffers.Binary;
using DhtPs.Core.Protocol;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Transfer;

/// <summary>A transfer's bytes as a list of frames, so tests can corrupt, drop, swap or cut them.</summary>
internal static class Wire
{
    public static async Task<List<byte[]>> FramesOfAsync(TransferHeader header, byte[] content)
    {
        var wire = new ScriptedStream(ResumeOffset.Encode(0));
        await FileSender.SendAsync(wire, header, new MemoryStream(content), progress: null, default);
        return Split(wire.Written.ToArray());
    }

    public static List<byte[]> Split(byte[] wire)
    {
        var frames = new List<byte[]>();
        for (var offset = 0; offset < wire.Length;)
        {
            var length = FrameCodec.FrameLength(BinaryPrimitives.ReadInt32BigEndian(wire.AsSpan(offset + 8)));
            frames.Add(wire[offset..(offset + length)]);
            offset += length;
        }
        return frames;
    }

    /// <summary>A receiver's end of a connection on which <paramref name="frames"/> arrive; what it answers is recorded.</summary>
    public static ScriptedStream Join(IEnumerable<byte[]> frames) => new([.. frames.SelectMany(frame => frame)]);

    /// <summary>Changes a payload byte and recomputes the frame's CRC, as a sender with corrupted memory would.</summary>
    public static void ForgeByte(byte[] frame, int payloadOffset)
    {
        frame[FrameCodec.HeaderLength + payloadOffset] ^= 0xFF;
        var header = FrameCodec.ReadHeader(frame, out var kind, out var sequence);
        FrameCodec.Seal(frame, kind, sequence, header);
    }
}
