using System.Buffers;
using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Transfer;

/// <summary>
/// The sending half of a file transfer. On the wire: a <see cref="FrameKind.FileHeader"/> frame with
/// sequence 0, then <see cref="FrameKind.Data"/> frames with sequences 1, 2, ... carrying the content in
/// chunks of <see cref="ChunkLength"/> bytes (the last may be shorter), then an empty data frame with the
/// next sequence as the end marker. Each frame carries its own CRC-32; the header's SHA-256 covers the whole.
/// </summary>
public static class FileSender
{
    /// <summary>The largest payload a frame may carry; big enough that framing costs 0.03 %.</summary>
    public const int ChunkLength = FrameCodec.MaxPayloadLength;

    /// <summary>Sends <paramref name="header"/>.Length bytes of <paramref name="content"/> from its current position.</summary>
    /// <exception cref="FileContentMismatchException">The content ended before the announced length.</exception>
    public static async Task SendAsync(Stream destination, TransferHeader header, Stream content,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        await destination.WriteAsync(FrameCodec.Encode(FrameKind.FileHeader, 0, header.Encode()), cancellationToken).ConfigureAwait(false);
        var progressThrottle = new ProgressThrottle(progress, header.Name, header.Length);
        var frame = ArrayPool<byte>.Shared.Rent(FrameCodec.MaxFrameLength);
        try
        {
            uint sequence = 1;
            long sent = 0;
            while (sent < header.Length)
            {
                var want = (int)Math.Min(ChunkLength, header.Length - sent);
                var read = await content.ReadAtLeastAsync(frame.AsMemory(FrameCodec.HeaderLength, want), want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read < want)
                    throw new FileContentMismatchException($"{header.Name} ended after {sent + read} bytes; {header.Length} were announced.");
                var length = FrameCodec.Seal(frame, FrameKind.Data, sequence++, read);
                await destination.WriteAsync(frame.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                sent += read;
                progressThrottle.Advance(sent);
            }
            var end = FrameCodec.Seal(frame, FrameKind.Data, sequence, 0);
            await destination.WriteAsync(frame.AsMemory(0, end), cancellationToken).ConfigureAwait(false);
            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            progressThrottle.Advance(sent);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }
}
