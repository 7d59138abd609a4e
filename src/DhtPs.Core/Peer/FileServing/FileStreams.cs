using DhtPs.Core.Protocol;
using DhtPs.Core.Transfer;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>Stream connections carry files: their idle limit, and the single message frame that closes each transfer.</summary>
internal static class FileStreams
{
    /// <summary>A file stream that gives up when no byte moves within <paramref name="idleTimeout"/>, so a stalled side never holds it forever.</summary>
    public static Stream IdleLimited(Stream stream, TimeSpan idleTimeout, TimeProvider time) => new IdleTimeoutStream(stream, idleTimeout, time);

    /// <summary>The single message frame that closes a transfer: the receiver's verdict.</summary>
    public static async Task WriteReplyAsync(Stream stream, Message reply, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(MessageCodec.Encode(ForTheWire(reply), sequence: 0), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A transfer's verdict as it may leave the peer: a refusal's reason may come from this peer's disk, and no local paths go on the wire.</summary>
    public static Message ForTheWire(Message reply) =>
        reply is ErrorResponse refusal ? refusal with { Reason = RemoteText.WithoutLocalPaths(refusal.Reason) } : reply;

    /// <summary>
    /// A receiver may refuse after the header and close while the rest is still being sent, which breaks the sending;
    /// its reason may still be waiting to be read, and says more than the broken connection.
    /// </summary>
    public static async Task<Message> SendContentThenReadReplyAsync(Stream stream, TransferHeader header, long offset, Stream content,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            await FileSender.SendContentAsync(stream, header, offset, content, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await ReadReplyAsync(stream, cancellationToken).ConfigureAwait(false) is ErrorResponse early)
                    return early;
            }
            catch (Exception e) when (e is IOException or ProtocolException or TimeoutException)
            {
                // No refusal to read: the broken sending is the news.
            }
            throw;
        }
        return await ReadReplyAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The receiver's verdict on a transfer: an acknowledgement or an error response.</summary>
    /// <exception cref="ProtocolException">The stream ended without a verdict.</exception>
    public static async Task<Message> ReadReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var frame = await FrameCodec.ReadAsync(stream, cancellationToken).ConfigureAwait(false)
            ?? throw new ProtocolException(ProtocolError.Truncated, "The receiver closed the stream without confirming the file.");
        return MessageCodec.DecodeInStream(frame);
    }
}
