using System.Net;
using DhtPs.Core.Peer.FileServing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>Stream connections: a file upload or delivery goes to the file service, a client's request to its gateway.</summary>
public sealed partial class PeerNode
{
    async Task ITransportHandler.OnStreamAsync(IPEndPoint from, Message opening, Stream connection, CancellationToken cancellationToken)
    {
        var stream = IdleLimited(connection); // The transport closes the connection when this returns.
        try
        {
            switch (opening)
            {
                case FileUpload upload:
                    await _fileService.ReceiveUploadAsync(upload, stream, cancellationToken).ConfigureAwait(false);
                    break;
                case FileDelivery delivery:
                    await _fileService.ReceiveDeliveryAsync(delivery, stream, cancellationToken).ConfigureAwait(false);
                    break;
                case ClientRequest client:
                    await new ClientGateway(this, _options.MaxFileSize).ServeAsync(client, stream, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await FileStreams.WriteReplyAsync(stream,
                        Refuse(ErrorCode.UnsupportedRequest, $"Peer {Id} opens no stream for {opening.GetType().Name}."), cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or ProtocolException or OperationCanceledException or ObjectDisposedException or DhtFileException or TimeoutException)
        {
            // The other side went away or stalled, or this peer stopped: the sender learns it from the missing confirmation.
        }
    }

    private Stream IdleLimited(Stream connection) => FileStreams.IdleLimited(connection, _options.TransferIdleTimeout, Time);
}
