using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using DhtPs.Core.Streams;

namespace DhtPs.Core.Protocol.Authentication;

/// <summary>
/// One direction pair of an authenticated connection: every write becomes records of
/// <c>length (4, big-endian) | bytes | tag (16)</c>, the tag HMAC-SHA256 (truncated) under this direction's session key
/// of the record's number (from 0, implicit), its length and its bytes. A record that fails its tag (another secret, an
/// altered, dropped, reordered or replayed record) ends the stream with <see cref="ProtocolError.Unauthenticated"/>.
/// A plain frame where a record should be is the other side's unauthenticated refusal, read for its reason.
/// </summary>
internal sealed class AuthenticatedStream(Stream inner, byte[] sendKey, byte[] receiveKey) : WrappingStream(inner)
{
    /// <summary>A frame always fits one record; larger writes are split.</summary>
    public const int MaxRecordLength = 64 * 1024;

    private const int LengthPrefix = 4;
    private readonly IncrementalHash _sendMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, sendKey);
    private readonly IncrementalHash _receiveMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, receiveKey);
    // One record at a time: its length prefix, bytes and tag, checked whole before a byte of it is handed out.
    private readonly byte[] _received = new byte[LengthPrefix + MaxRecordLength + AuthenticatedWireCodec.TagLength];
    private ulong _sent;
    private bool SentAny => _sent > 0;
    private ulong _receivedCount;
    private int _pendingStart;
    private int _pendingEnd;

    public override bool CanRead => true;
    public override bool CanWrite => true;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var chunk = buffer[..Math.Min(buffer.Length, MaxRecordLength)];
            var record = ArrayPool<byte>.Shared.Rent(LengthPrefix + chunk.Length + AuthenticatedWireCodec.TagLength);
            try
            {
                BinaryPrimitives.WriteInt32BigEndian(record, chunk.Length);
                chunk.Span.CopyTo(record.AsSpan(LengthPrefix));
                Seal(_sendMac, _sent++, record.AsSpan(0, LengthPrefix + chunk.Length), record.AsSpan(LengthPrefix + chunk.Length, AuthenticatedWireCodec.TagLength));
                await Inner.WriteAsync(record.AsMemory(0, LengthPrefix + chunk.Length + AuthenticatedWireCodec.TagLength), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(record);
            }
            buffer = buffer[chunk.Length..];
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        if (_pendingStart == _pendingEnd && !await ReadRecordAsync(cancellationToken).ConfigureAwait(false))
            return 0;
        var count = Math.Min(buffer.Length, _pendingEnd - _pendingStart);
        _received.AsMemory(_pendingStart, count).CopyTo(buffer);
        _pendingStart += count;
        return count;
    }

    /// <summary>Reads and checks the next record; false at a clean end of the connection between records.</summary>
    private async Task<bool> ReadRecordAsync(CancellationToken cancellationToken)
    {
        var prefix = _received.AsMemory(0, LengthPrefix);
        var read = await Inner.ReadAtLeastAsync(prefix, LengthPrefix, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0 && _receivedCount == 0 && !SentAny)
            // A client that completes the handshake always sends a record; one that leaves at once could not verify
            // this side's proof: it holds another secret.
            throw AuthenticatedWireCodec.Unauthenticated("The other side closed the connection right after the handshake: it could not verify this ring's secret.");
        if (read == 0)
            return false;
        if (read < LengthPrefix)
            throw new ProtocolException(ProtocolError.Truncated, "The connection ended inside an authenticated record.");
        if (FrameCodec.IsPlainMagic(prefix.Span))
            throw await PlainFrameAsync(Inner, prefix, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix.Span);
        if (length is <= 0 or > MaxRecordLength)
            throw AuthenticatedWireCodec.Unauthenticated($"An authenticated record announces {length} bytes; it was not sealed by this ring.");
        await Inner.ReadExactlyAsync(_received.AsMemory(LengthPrefix, length + AuthenticatedWireCodec.TagLength), cancellationToken).ConfigureAwait(false);
        if (!Verify(_received.AsSpan(0, LengthPrefix + length), _received.AsSpan(LengthPrefix + length, AuthenticatedWireCodec.TagLength)))
            throw AuthenticatedWireCodec.Unauthenticated(
                $"Record {_receivedCount} of the connection failed authentication: another ring secret, or altered, reordered or replayed bytes.");
        _receivedCount++;
        (_pendingStart, _pendingEnd) = (LengthPrefix, LengthPrefix + length);
        return true;
    }

    /// <summary>
    /// A plain frame whose first bytes (<paramref name="start"/>) were read where a record or handshake was expected:
    /// read the rest and return the failure it means, with the other side's reason when it sent one.
    /// </summary>
    internal static async Task<ProtocolException> PlainFrameAsync(Stream source, ReadOnlyMemory<byte> start, CancellationToken cancellationToken)
    {
        var header = new byte[FrameCodec.HeaderLength];
        start.CopyTo(header);
        try
        {
            await source.ReadExactlyAsync(header.AsMemory(start.Length), cancellationToken).ConfigureAwait(false);
            var length = FrameCodec.ReadHeader(header, out _, out _);
            var frame = new byte[FrameCodec.FrameLength(length)];
            header.CopyTo(frame, 0);
            await source.ReadExactlyAsync(frame.AsMemory(FrameCodec.HeaderLength), cancellationToken).ConfigureAwait(false);
            if (MessageCodec.DecodePayload(FrameCodec.Decode(frame)) is ErrorResponse { Code: ErrorCode.AuthenticationFailed } refusal)
                return AuthenticatedWireCodec.Unauthenticated($"The peer refused this connection: {RemoteText.Clean(refusal.Reason)}");
        }
        catch (Exception e) when (e is ProtocolException or EndOfStreamException or IOException)
        {
            // Not even a readable refusal: still unauthenticated.
        }
        return AuthenticatedWireCodec.Unauthenticated("The peer sent a plain frame on an authenticated connection: it has no ring secret, or not this one.");
    }

    private bool Verify(ReadOnlySpan<byte> lengthAndBytes, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[AuthenticatedWireCodec.TagLength];
        Seal(_receiveMac, _receivedCount, lengthAndBytes, expected);
        return CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    private static void Seal(IncrementalHash mac, ulong number, ReadOnlySpan<byte> lengthAndBytes, Span<byte> tag)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(counter, number);
        mac.AppendData(counter);
        mac.AppendData(lengthAndBytes);
        Span<byte> full = stackalloc byte[32];
        mac.GetHashAndReset(full);
        full[..AuthenticatedWireCodec.TagLength].CopyTo(tag);
    }

    protected override void ReleaseOwn()
    {
        _sendMac.Dispose();
        _receiveMac.Dispose();
    }
}
