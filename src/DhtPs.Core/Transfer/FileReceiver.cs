using System.Buffers;
using System.Buffers.Binary;
using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Transfer;

/// <summary>
/// The receiving half of a file transfer (the wire format is on <see cref="FileSender"/>). Memory stays
/// constant: a few reused blocks of about 1 MiB. Each frame's payload is read from the socket straight to
/// its place in a block (no copy), checked against its CRC, and a full block goes to the destination, which
/// hashes and writes it while the next block fills from the network. Any failure throws before the
/// destination is committed, so nothing partial is ever left in its place; a resumable destination keeps
/// every chunk that arrived intact for the next attempt (<see cref="PartialFile.ResumeAsync(string, long, string, CancellationToken)"/>).
/// </summary>
public static class FileReceiver
{
    /// <summary>How many chunks a block collects before it is written: 16 full chunks, just under 1 MiB.</summary>
    private const int ChunksPerBlock = 16;

    /// <summary>Room for a block's chunks plus the CRC and next frame's header read with the last of them.</summary>
    private const int BlockLength = ChunksPerBlock * FileSender.ChunkLength + FrameCodec.ChecksumLength + FrameCodec.HeaderLength;

    /// <summary>Blocks in turn: one filling from the network, the others queued for or being hashed and written.</summary>
    private const int BlocksInFlight = 3;

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
        var blocks = new byte[BlocksInFlight][];
        var writes = new Task[BlocksInFlight];
        for (var i = 0; i < BlocksInFlight; i++)
        {
            blocks[i] = ArrayPool<byte>.Shared.Rent(BlockLength);
            writes[i] = Task.CompletedTask;
        }
        var frameHeader = new byte[FrameCodec.HeaderLength + FrameCodec.ChecksumLength];
        var lastWrite = Task.CompletedTask;
        var current = 0;
        var filled = 0;
        try
        {
            var progressThrottle = new ProgressThrottle(progress, header.Name, header.Length);
            var received = destination.ResumedFrom;
            await ReadExactlyAsync(source, frameHeader.AsMemory(0, FrameCodec.HeaderLength), received, header, cancellationToken).ConfigureAwait(false);
            for (uint sequence = 1; ; sequence++)
            {
                var length = FrameCodec.ReadHeader(frameHeader, out var kind, out var frameSequence);
                if (kind != FrameKind.Data)
                    throw new ProtocolException(ProtocolError.UnknownFrameKind, $"Expected a data frame, got a {kind} frame.");
                if (frameSequence != sequence)
                    throw new ProtocolException(ProtocolError.OutOfSequence, $"Expected chunk {sequence} of {header.Name}, got {frameSequence}.");
                if (length == 0)
                {
                    // The end marker: only its CRC is left to read, nothing past it (the connection carries the verdict next).
                    await ReadExactlyAsync(source, frameHeader.AsMemory(FrameCodec.HeaderLength), received, header, cancellationToken).ConfigureAwait(false);
                    VerifyChecksum(frameHeader, ReadOnlySpan<byte>.Empty, frameHeader.AsSpan(FrameCodec.HeaderLength));
                    break;
                }
                if (length > header.Length - received)
                    throw new ProtocolException(ProtocolError.LengthMismatch, $"More than the announced {header.Length} bytes arrived for {header.Name}.");
                if (filled + length > ChunksPerBlock * FileSender.ChunkLength)
                {
                    lastWrite = writes[current] = WriteAfterAsync(lastWrite, destination, blocks[current], filled);
                    current = (current + 1) % BlocksInFlight;
                    filled = 0;
                    await writes[current].ConfigureAwait(false); // the block to fill next must have been written
                }
                // Payload, CRC and the next frame's header in one read: a data frame is always followed by another frame.
                var block = blocks[current];
                await ReadExactlyAsync(source, block.AsMemory(filled, length + FrameCodec.ChecksumLength + FrameCodec.HeaderLength), received, header, cancellationToken).ConfigureAwait(false);
                VerifyChecksum(frameHeader, block.AsSpan(filled, length), block.AsSpan(filled + length, FrameCodec.ChecksumLength));
                block.AsSpan(filled + length + FrameCodec.ChecksumLength, FrameCodec.HeaderLength).CopyTo(frameHeader);
                filled += length;
                received += length;
                progressThrottle.Advance(received);
            }
            if (filled > 0)
                lastWrite = WriteAfterAsync(lastWrite, destination, blocks[current], filled);
            filled = 0;
            await lastWrite.ConfigureAwait(false);
            if (received != header.Length)
                throw new ProtocolException(ProtocolError.LengthMismatch, $"{header.Name} ended after {received} of the announced {header.Length} bytes.");
            await destination.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (filled > 0)
        {
            // Cut off or corrupted further on: the chunks already checked are good, and a resumable destination keeps them.
            lastWrite = WriteAfterAsync(lastWrite, destination, blocks[current], filled);
            throw;
        }
        finally
        {
            // A failure above may leave writes in flight: their blocks and the destination must outlive them.
            await lastWrite.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var block in blocks)
                ArrayPool<byte>.Shared.Return(block);
        }
    }

    /// <summary>
    /// Receives a whole transfer (header and content) into <paramref name="store"/> under the announced name,
    /// resuming an earlier transfer of the same content that was cut off. Its version is not known (<see cref="FileVersion.Unknown"/>).
    /// </summary>
    public static async Task<StoredFile> ReceiveIntoAsync(Stream source, FileStore store, long maxLength,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var header = await ReadHeaderAsync(source, maxLength, cancellationToken).ConfigureAwait(false);
        await using (var partial = await store.ResumeStoreAsync(header.Name, header.Length, header.Sha256, FileVersion.Unknown, cancellationToken).ConfigureAwait(false))
            await ReceiveAsync(source, header, partial, progress, cancellationToken).ConfigureAwait(false);
        return store.GetInfo(header.Name);
    }

    /// <summary>
    /// Writes a block once the blocks before it are written: the destination hashes and appends in order. Not cancelled:
    /// the block's chunks have arrived intact, and a cancelled transfer keeps them to resume from (a few MiB of local disk).
    /// </summary>
    private static async Task WriteAfterAsync(Task previous, PartialFile destination, byte[] block, int length)
    {
        await previous.ConfigureAwait(false);
        await destination.WriteAsync(block.AsMemory(0, length), CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task ReadExactlyAsync(Stream source, Memory<byte> buffer, long received, TransferHeader header, CancellationToken cancellationToken)
    {
        var read = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < buffer.Length)
            throw new ProtocolException(ProtocolError.Truncated, $"The stream ended after {received} of {header.Length} bytes of {header.Name}.");
    }

    /// <summary>The frame's CRC-32 covers its header and payload, which lie in different buffers here.</summary>
    private static void VerifyChecksum(ReadOnlySpan<byte> frameHeader, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> checksum)
    {
        if (FrameChecksum.Compute(frameHeader[..FrameCodec.HeaderLength], payload) != BinaryPrimitives.ReadUInt32BigEndian(checksum))
            throw new ProtocolException(ProtocolError.ChecksumMismatch, "Frame checksum does not match its contents.");
    }
}
