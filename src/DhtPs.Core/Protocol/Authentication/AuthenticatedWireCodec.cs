using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DhtPs.Core.Protocol.Authentication;

/// <summary>
/// The wire of a ring with a secret (protocol.md §9). Datagrams: each one sealed with HMAC-SHA256 under the datagram
/// key, carrying the sender's random epoch and a counter that a <see cref="ReplayWindow"/> checks. Streams: a
/// handshake of two fresh nonces proves the server holds the secret and derives per-connection keys; every byte after
/// it travels in HMAC-sealed records numbered from 0 (<see cref="AuthenticatedStream"/>), so request frames, replies
/// and file transfers alike are authenticated, in order, and cannot be replayed into another connection.
/// </summary>
public sealed class AuthenticatedWireCodec : WireCodec
{
    internal const byte Version = 1;
    internal const int TagLength = 16;
    internal const int NonceLength = 16;
    private const byte ClientHello = 1;
    private const byte ServerHello = 2;
    private const int DatagramHeaderLength = 3 + 8 + 8; // magic, version, epoch, counter

    private readonly RingSecret _secret;
    private readonly ulong _epoch = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8));
    private readonly ReplayWindow _replays = new();
    private long _datagramCounter;

    public AuthenticatedWireCodec(RingSecret secret) => _secret = secret;

    public override bool IsAuthenticated => true;

    /// <summary>Names the secret (<see cref="RingSecret.Fingerprint"/>).</summary>
    public string Fingerprint => _secret.Fingerprint;

    /// <summary>The largest authenticated datagram: a full frame, its header and its tag (still below UDP's limit).</summary>
    public const int MaxDatagramLength = DatagramHeaderLength + FrameCodec.MaxFrameLength + TagLength;

    public override byte[] EncodeDatagram(Message message, uint sequence)
    {
        var frame = MessageCodec.Encode(message, sequence);
        var datagram = new byte[DatagramHeaderLength + frame.Length + TagLength];
        WriteMagic(datagram, Version);
        BinaryPrimitives.WriteUInt64BigEndian(datagram.AsSpan(3), _epoch);
        BinaryPrimitives.WriteUInt64BigEndian(datagram.AsSpan(11), (ulong)Interlocked.Increment(ref _datagramCounter));
        frame.CopyTo(datagram, DatagramHeaderLength);
        Tag(_secret.DatagramKey, datagram.AsSpan(0, datagram.Length - TagLength), datagram.AsSpan(datagram.Length - TagLength));
        return datagram;
    }

    public override (uint Sequence, Message Message) DecodeDatagram(ReadOnlyMemory<byte> datagram)
    {
        var bytes = datagram.Span;
        RequireAuthenticatedMagic(bytes, "datagram");
        if (bytes.Length < DatagramHeaderLength + FrameCodec.HeaderLength + FrameCodec.ChecksumLength + TagLength)
            throw new ProtocolException(ProtocolError.Truncated, $"An authenticated datagram needs more than {bytes.Length} bytes.");
        if (bytes[2] != Version)
            throw new ProtocolException(ProtocolError.UnsupportedVersion, $"Unsupported authenticated datagram version {bytes[2]}.");
        Span<byte> expected = stackalloc byte[TagLength];
        Tag(_secret.DatagramKey, bytes[..^TagLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[^TagLength..]))
            throw Unauthenticated("The datagram's authentication tag does not match: it was sealed with another ring secret, or altered.");
        var epoch = BinaryPrimitives.ReadUInt64BigEndian(bytes[3..]);
        var counter = BinaryPrimitives.ReadUInt64BigEndian(bytes[11..]);
        if (!_replays.TryAccept(epoch, counter))
            throw Unauthenticated($"A replayed datagram (epoch {epoch:x16}, counter {counter}) was refused.");
        return MessageCodec.Decode(datagram[DatagramHeaderLength..^TagLength]);
    }

    public override async ValueTask<Stream> ConnectAsync(Stream connection, CancellationToken cancellationToken)
    {
        var hello = new byte[4 + NonceLength];
        WriteMagic(hello, Version);
        hello[3] = ClientHello;
        RandomNumberGenerator.Fill(hello.AsSpan(4));
        await connection.WriteAsync(hello, cancellationToken).ConfigureAwait(false);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);

        var answer = new byte[4 + NonceLength + TagLength];
        await ReadStartAsync(connection, answer.AsMemory(0, 4), "the server's handshake", cancellationToken).ConfigureAwait(false);
        if (answer[2] != Version || answer[3] != ServerHello)
            throw Unauthenticated("The peer answered the handshake with something else than a server hello.");
        await connection.ReadExactlyAsync(answer.AsMemory(4), cancellationToken).ConfigureAwait(false);
        var clientNonce = hello.AsSpan(4);
        var serverNonce = answer.AsSpan(4, NonceLength);
        Span<byte> proof = stackalloc byte[TagLength];
        Tag(_secret.StreamKey, Concat("server proof", clientNonce, serverNonce), proof);
        if (!CryptographicOperations.FixedTimeEquals(proof, answer.AsSpan(4 + NonceLength)))
            throw Unauthenticated("The peer did not prove that it holds this ring's secret (another secret).");
        return new AuthenticatedStream(connection,
            sendKey: SessionKey("client to server", clientNonce, serverNonce),
            receiveKey: SessionKey("server to client", clientNonce, serverNonce));
    }

    public override async ValueTask<Stream> AcceptAsync(Stream connection, CancellationToken cancellationToken)
    {
        var hello = new byte[4 + NonceLength];
        await ReadStartAsync(connection, hello.AsMemory(0, 4), "a client handshake", cancellationToken).ConfigureAwait(false);
        if (hello[2] != Version || hello[3] != ClientHello)
            throw Unauthenticated("The connection did not start with a client hello.");
        await connection.ReadExactlyAsync(hello.AsMemory(4), cancellationToken).ConfigureAwait(false);
        var answer = new byte[4 + NonceLength + TagLength];
        WriteMagic(answer, Version);
        answer[3] = ServerHello;
        RandomNumberGenerator.Fill(answer.AsSpan(4, NonceLength));
        var clientNonce = hello.AsSpan(4);
        var serverNonce = answer.AsSpan(4, NonceLength);
        Tag(_secret.StreamKey, Concat("server proof", clientNonce, serverNonce), answer.AsSpan(4 + NonceLength));
        var stream = new AuthenticatedStream(connection,
            sendKey: SessionKey("server to client", clientNonce, serverNonce),
            receiveKey: SessionKey("client to server", clientNonce, serverNonce));
        await connection.WriteAsync(answer, cancellationToken).ConfigureAwait(false);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        return stream;
    }

    /// <summary>
    /// Reads the first 4 bytes of a handshake. A plain frame there is an open peer's request or its refusal (an
    /// <c>error</c> AuthenticationFailed), never an authenticated one: either way this connection is not authenticated.
    /// </summary>
    private static async Task ReadStartAsync(Stream connection, Memory<byte> start, string what, CancellationToken cancellationToken)
    {
        var read = await connection.ReadAtLeastAsync(start, start.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
            throw new EndOfStreamException($"The connection closed before {what}.");
        if (read < start.Length)
            throw new ProtocolException(ProtocolError.Truncated, $"The connection closed inside {what}.");
        if (FrameCodec.IsPlainMagic(start.Span))
            throw await AuthenticatedStream.PlainFrameAsync(connection, start, cancellationToken).ConfigureAwait(false);
        RequireAuthenticatedMagic(start.Span, what);
    }

    private static void RequireAuthenticatedMagic(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length >= 2 && FrameCodec.IsPlainMagic(bytes))
            throw Unauthenticated($"A plain {what} from a peer without this ring's secret (an open-ring peer).");
        if (bytes.Length < 2 || !FrameCodec.IsAuthenticatedMagic(bytes))
            throw new ProtocolException(ProtocolError.BadMagic, $"Not a DhtPs {what} (bad magic).");
    }

    private static void WriteMagic(Span<byte> into, byte version)
    {
        FrameCodec.AuthenticatedMagic.CopyTo(into);
        into[2] = version;
    }

    private byte[] SessionKey(string direction, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce) =>
        HMACSHA256.HashData(_secret.StreamKey, Concat(direction, clientNonce, serverNonce));

    private static byte[] Concat(string label, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) =>
        [.. System.Text.Encoding.ASCII.GetBytes(label), .. first, .. second];

    /// <summary>HMAC-SHA256 truncated to 128 bits (as RFC 4868 does), written into <paramref name="tag"/>.</summary>
    internal static void Tag(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, data, full);
        full[..TagLength].CopyTo(tag);
    }

    internal static ProtocolException Unauthenticated(string reason) => new(ProtocolError.Unauthenticated, reason);
}
