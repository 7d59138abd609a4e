using System.Buffers;
using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Transfer;

/// <summary>
/// The sending half of a file transfer. On the wire: a <see cref="FrameKind.FileHeader"/> frame with
/// sequence 0; the receiver answers with a <see cref="FrameKind.ResumeOffset"/> frame saying how many bytes
/// of that content it already holds; then <see cref="FrameKind.Data"/> frames with sequences 1, 2, ...
/// carrying the content from that offset in chunks of <see cref="ChunkLength"/> bytes (the last may be
/// shorter), then an empty data frame with the next sequence as the end marker. Each frame carries its own
/// CRC-32; the header's SHA-256 covers the whole content, resumed or not.
/// <para>
/// The frames are written <see cref="FramesPerWrite"/> at a time, from two buffers in turn: while one batch
/// is on its way to the socket, the next is read from the content and sealed. A frame per socket write would
/// cost a system call (and an idle-timer) per 60 KiB.
/// </para>
/// </summary>
public static class FileSender
{
    /// <summary>The largest payload a frame may carry; big enough that framing costs 0.03 %.</summary>
    public const int ChunkLength = FrameCodec.MaxPayloadLength;

    /// <summary>How many frames one socket write carries: 16 full chunks, just under 1 MiB.</summary>
    internal const int FramesPerWrite = 16;

    private const int BatchLength = FramesPerWrite * FrameCodec.MaxFrameLength;

    /// <summary>
    /// Sends the content <paramref name="header"/> announces: <paramref name="content"/> is positioned at its
    /// first byte and must be seekable, since the receiver may already hold a prefix. Returns where it resumed.
    /// </summary>
    /// <exception cref="TransferRefusedException">The receiver refused the header.</exception>
    /// <exception cref="FileContentMismatchException">The content ended before the announced length.</exception>
    public static async Task<long> SendAsync(Stream destination, TransferHeader header, Stream content,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var offset = await AnnounceAsync(destination, header, cancellationToken).ConfigureAwait(false);
        await SendContentAsync(destination, header, offset, content, progress, cancellationToken).ConfigureAwait(false);
        return offset;
    }

    /// <summary>Sends the header and returns the receiver's answer: the offset the content is to be sent from.</summary>
    /// <exception cref="TransferRefusedException">The receiver refused the header.</exception>
    public static async Task<long> AnnounceAsync(Stream destination, TransferHeader header, CancellationToken cancellationToken)
    {
        await destination.WriteAsync(FrameCodec.Encode(FrameKind.FileHeader, 0, header.Encode()), cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await ResumeOffset.ReadAsync(destination, header, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the content from <paramref name="offset"/> (the receiver's answer to the header) and the end marker.</summary>
    /// <param name="content">Positioned at the content's first byte; seekable unless <paramref name="offset"/> is 0.</param>
    /// <exception cref="FileContentMismatchException">The content ended before the announced length.</exception>
    public static async Task SendContentAsync(Stream destination, TransferHeader header, long offset, Stream content,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, header.Length);
        if (offset > 0)
            content.Seek(offset, SeekOrigin.Current);
        var progressThrottle = new ProgressThrottle(progress, header.Name, header.Length);
        byte[][] batches = [ArrayPool<byte>.Shared.Rent(BatchLength), ArrayPool<byte>.Shared.Rent(BatchLength)];
        var writing = Task.CompletedTask;
        try
        {
            uint sequence = 1;
            var sent = offset;
            var handedToSocket = offset;
            for (var turn = 0; ; turn++)
            {
                // Reads the next batch while the previous one is still being written.
                var batch = batches[turn % 2];
                var length = 0;
                var ended = false;
                for (var frames = 0; frames < FramesPerWrite && !ended; frames++)
                {
                    var want = (int)Math.Min(ChunkLength, header.Length - sent);
                    var read = want == 0 ? 0 : await content.ReadAtLeastAsync(batch.AsMemory(length + FrameCodec.HeaderLength, want), want,
                        throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    if (read < want)
                        throw new FileContentMismatchException($"{header.Name} ended after {sent + read} bytes; {header.Length} were announced.");
                    length += FrameCodec.Seal(batch.AsSpan(length), FrameKind.Data, sequence++, read);
                    sent += read;
                    ended = read == 0; // the empty frame just sealed is the end marker
                }
                await writing.ConfigureAwait(false);
                progressThrottle.Advance(handedToSocket);
                writing = destination.WriteAsync(batch.AsMemory(0, length), cancellationToken).AsTask();
                handedToSocket = sent;
                if (ended)
                    break;
            }
            await writing.ConfigureAwait(false);
            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            progressThrottle.Advance(sent);
        }
        finally
        {
            // A failure above may leave a write in flight: its buffer must outlive it.
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var batch in batches)
                ArrayPool<byte>.Shared.Return(batch);
        }
    }
}
