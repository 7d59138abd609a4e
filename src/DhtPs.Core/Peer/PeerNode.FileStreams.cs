using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>Stream connections carry files: what opens one, and the single message frame that closes each transfer.</summary>
public sealed partial class PeerNode
{
    async Task ITransportHandler.OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            if (opening.IdBits != Space.Bits)
                await WriteStreamReplyAsync(stream, Refuse(ErrorCode.IdBitsMismatch, $"Peer {Id} belongs to a {Space}."), cancellationToken).ConfigureAwait(false);
            else if (opening is FileUpload upload)
                await ReceiveUploadAsync(upload, stream, cancellationToken).ConfigureAwait(false);
            else if (opening is FileDelivery delivery)
                await ReceiveDeliveryAsync(delivery, stream, cancellationToken).ConfigureAwait(false);
            else
                await WriteStreamReplyAsync(stream, Refuse(ErrorCode.UnsupportedRequest, $"Peer {Id} opens no stream for {opening.GetType().Name}."), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ProtocolException or OperationCanceledException or ObjectDisposedException or DhtFileException)
        {
            // The other side went away, or this peer stopped: the sender learns it from the missing confirmation.
        }
    }

    private async Task WriteStreamReplyAsync(Stream stream, Message reply, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(MessageCodec.Encode(reply, sequence: 0), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The receiver's verdict on a transfer: an acknowledgement or an error response.</summary>
    /// <exception cref="ProtocolException">The stream ended without a verdict.</exception>
    private static async Task<Message> ReadStreamReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var frame = await FrameCodec.ReadAsync(stream, cancellationToken).ConfigureAwait(false)
            ?? throw new ProtocolException(ProtocolError.Truncated, "The receiver closed the stream without confirming the file.");
        return MessageCodec.DecodePayload(frame);
    }
}
