namespace DhtPs.Core.Protocol;

/// <summary>
/// The wire a peer speaks, as one instance carried by <c>PeerEnvironment</c>: how a message becomes a datagram and
/// back, and how a stream connection is made ready before its first frame. <see cref="Open"/> is the open ring's
/// plain frames; a ring secret plugs in here and nowhere else.
/// Frames inside a stream are plain frames (<see cref="FrameCodec"/>, <see cref="MessageCodec"/>) on the stream this
/// codec returned, so file transfers are covered by whatever covers the stream.
/// </summary>
public class WireCodec
{
    /// <summary>The open ring: plain frames, nothing authenticated.</summary>
    public static WireCodec Open { get; } = new();

    protected WireCodec()
    {
    }

    /// <summary>True when every datagram and stream is authenticated with a ring secret.</summary>
    public virtual bool IsAuthenticated => false;

    public virtual byte[] EncodeDatagram(Message message, uint sequence) => MessageCodec.Encode(message, sequence);

    /// <summary>The sequence number and message of a datagram, not yet validated.</summary>
    /// <exception cref="ProtocolException">Not a datagram of this wire.</exception>
    public virtual (uint Sequence, Message Message) DecodeDatagram(ReadOnlyMemory<byte> datagram) => MessageCodec.Decode(datagram);

    /// <summary>Makes a connection this peer opened ready for frames; returns the stream to use (it owns the connection).</summary>
    public virtual ValueTask<Stream> ConnectAsync(Stream connection, CancellationToken cancellationToken) => ValueTask.FromResult(connection);

    /// <summary>Makes a connection another peer opened ready for frames; returns the stream to use (it owns the connection).</summary>
    public virtual ValueTask<Stream> AcceptAsync(Stream connection, CancellationToken cancellationToken) => ValueTask.FromResult(connection);
}
