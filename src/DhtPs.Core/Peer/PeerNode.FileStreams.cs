using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Transfer;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>Stream connections carry files: what opens one, its idle limit, and the single message frame that closes each transfer.</summary>
public sealed partial class PeerNode
{
    async Task ITransportHandler.OnStreamAsync(IPEndPoint from, Message opening, Stream connection, CancellationToken cancellationToken)
    {
        var stream = IdleLimited(connection); // The transport closes the connection when this returns.
        try
        {
            if (opening is FileUpload upload)
                await ReceiveUploadAsync(upload, stream, cancellationToken).ConfigureAwait(false);
            else if (opening is FileDelivery delivery)
                await ReceiveDeliveryAsync(delivery, stream, cancellationToken).ConfigureAwait(false);
            else if (opening is ClientRequest client)
                await new ClientGateway(this, _options.MaxFileSize).ServeAsync(client, stream, cancellationToken).ConfigureAwait(false);
            else
                await WriteStreamReplyAsync(stream, Refuse(ErrorCode.UnsupportedRequest, $"Peer {Id} opens no stream for {opening.GetType().Name}."), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ProtocolException or OperationCanceledException or ObjectDisposedException or DhtFileException or TimeoutException)
        {
            // The other side went away or stalled, or this peer stopped: the sender learns it from the missing confirmation.
        }
    }

    /// <summary>A file stream that gives up when no byte moves within <see cref="PeerOptions.TransferIdleTimeout"/>, so a stalled side never holds it forever.</summary>
    private Stream IdleLimited(Stream stream) => new IdleTimeoutStream(stream, _options.TransferIdleTimeout, Time);

    private async Task WriteStreamReplyAsync(Stream stream, Message reply, CancellationToken cancellationToken)
    {
        if (reply is ErrorResponse refusal) // Its reason may come from this peer's disk: no local paths on the wire.
            reply = refusal with { Reason = RemoteText.WithoutLocalPaths(refusal.Reason) };
        await stream.WriteAsync(MessageCodec.Encode(reply, sequence: 0), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A receiver may refuse after the header and close while the rest is still being sent, which breaks the sending;
    /// its reason may still be waiting to be read, and says more than the broken connection.
    /// </summary>
    private static async Task<Message> SendContentThenReadReplyAsync(Stream stream, TransferHeader header, long offset, Stream content,
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
                if (await ReadStreamReplyAsync(stream, cancellationToken).ConfigureAwait(false) is ErrorResponse early)
                    return early;
            }
            catch (Exception e) when (e is IOException or ProtocolException or TimeoutException)
            {
                // No refusal to read: the broken sending is the news.
            }
            throw;
        }
        return await ReadStreamReplyAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The receiver's verdict on a transfer: an acknowledgement or an error response.</summary>
    /// <exception cref="ProtocolException">The stream ended without a verdict.</exception>
    private static async Task<Message> ReadStreamReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var frame = await FrameCodec.ReadAsync(stream, cancellationToken).ConfigureAwait(false)
            ?? throw new ProtocolException(ProtocolError.Truncated, "The receiver closed the stream without confirming the file.");
        return MessageCodec.DecodeInStream(frame);
    }
}
