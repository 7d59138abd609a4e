using System.Buffers;
using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Transfer;

/// <summary>
/// The receiving half of a file transfer (the wire format is on <see cref="FileSender"/>). Memory stays
/// constant: two reused frame buffers, each chunk written to the destination's temporary file as it arrives.
/// Any failure throws before the destination is committed, so nothing partial is ever left in its place;
/// a resumable destination keeps what arrived for the next attempt (<see cref="PartialFile.ResumeAsync(string, long, string, CancellationToken)"/>).
/// </summary>
public static class FileReceiver
{
    /// <summary>Reads the header that opens a transfer, refusing lengths above <paramref name="maxLength"/>.</summary>
    /// <exception cref="ProtocolException">No header, a malformed one, or an oversized length.</exception>
    /// <exception cref="UnsafeFileNameException">The announced name is not a safe file name.</exception>
    public static async Task<TransferHeader> ReadHeaderAsync(Stream source, long maxLength, CancellationToken cancellationToken)
    {
        var frame = await FrameCodec.ReadAsync(source, cancellationToken).ConfigureAwait(false)
            ?? throw new ProtocolException(ProtocolError.Truncated, "The stream ended before a file header.");
        if (frame.Kind != FrameKind.FileHeader)
            throw new ProtocolException(ProtocolError.UnknownFrameKind, $"Expected a file header, got a {frame.Kind} frame.");
        if (frame.Sequence != 0)
            throw new ProtocolException(ProtocolError.OutOfSequence, $"A file header has sequence 0, got {frame.Sequence}.");
        var header = TransferHeader.Decode(frame.Payload.Span);
        if (header.Length > maxLength)
            throw new ProtocolException(ProtocolError.Oversized, $"{header.Name} is announced with {header.Length} bytes; the limit is {maxLength}.");
        return header;
    }

    /// <summary>
    /// Receives the content announced by <paramref name="header"/> into <paramref name="destination"/>
    /// (created with the header's length and SHA-256) and commits it once the end marker arrives. First it
    /// answers the header with the bytes the destination already holds, so the sender only sends the rest.
    /// </summary>
    /// <exception cref="ProtocolException">Truncated stream, bad CRC, chunk out of sequence, or a length other than announced.</exception>
    /// <exception cref="FileContentMismatchException">The content's SHA-256 is not the announced one.</exception>
    public static async Task ReceiveAsync(Stream source, TransferHeader header, PartialFile destination,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        if (destination.ExpectedLength != header.Length || destination.BytesWritten != destination.ResumedFrom)
            throw new ArgumentException("The destination must be a partial file just created or resumed for this header.", nameof(destination));
        await source.WriteAsync(ResumeOffset.Encode(destination.ResumedFrom), cancellationToken).ConfigureAwait(false);
        await source.FlushAsync(cancellationToken).ConfigureAwait(false);
        var progressThrottle = new ProgressThrottle(progress, header.Name, header.Length);
        // Two frame buffers: while one chunk is being written to disk, the next is read from the network.
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(FrameCodec.MaxFrameLength), ArrayPool<byte>.Shared.Rent(FrameCodec.MaxFrameLength)];
        var writing = Task.CompletedTask;
        try
        {
            var received = destination.ResumedFrom;
            for (uint sequence = 1; ; sequence++)
            {
                var frame = await FrameCodec.ReadAsync(source, buffers[sequence % 2], cancellationToken).ConfigureAwait(false)
                    ?? throw new ProtocolException(ProtocolError.Truncated, $"The stream ended after {received} of {header.Length} bytes of {header.Name}.");
                if (frame.Kind != FrameKind.Data)
                    throw new ProtocolException(ProtocolError.UnknownFrameKind, $"Expected a data frame, got a {frame.Kind} frame.");
                if (frame.Sequence != sequence)
                    throw new ProtocolException(ProtocolError.OutOfSequence, $"Expected chunk {sequence} of {header.Name}, got {frame.Sequence}.");
                if (frame.Payload.IsEmpty)
                    break;
                if (frame.Payload.Length > header.Length - received)
                    throw new ProtocolException(ProtocolError.LengthMismatch, $"More than the announced {header.Length} bytes arrived for {header.Name}.");
                await writing.ConfigureAwait(false);
                writing = destination.WriteAsync(frame.Payload, cancellationToken).AsTask();
                received += frame.Payload.Length;
                progressThrottle.Advance(received);
            }
            await writing.ConfigureAwait(false);
            if (received != header.Length)
                throw new ProtocolException(ProtocolError.LengthMismatch, $"{header.Name} ended after {received} of the announced {header.Length} bytes.");
            await destination.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A failure above may leave a write in flight: its buffer and the destination must outlive it.
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var buffer in buffers)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Receives a whole transfer (header and content) into <paramref name="store"/> under the announced name,
    /// resuming an earlier transfer of the same content that was cut off.
    /// </summary>
    public static async Task<StoredFile> ReceiveIntoAsync(Stream source, FileStore store, long maxLength,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var header = await ReadHeaderAsync(source, maxLength, cancellationToken).ConfigureAwait(false);
        await using (var partial = await store.ResumeStoreAsync(header.Name, header.Length, header.Sha256, cancellationToken).ConfigureAwait(false))
            await ReceiveAsync(source, header, partial, progress, cancellationToken).ConfigureAwait(false);
        return store.GetInfo(header.Name);
    }
}
