using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Peer;

/// <summary>
/// The entry peer's side of client mode (<see cref="ClientRequest"/>): a client that runs no peer asks this peer to
/// store, fetch or look up as origin, over the one connection it opened, which also carries the file's bytes. Only the
/// peer's public operations are used, so a client's request is exactly one of this peer's own; files pass through a
/// staging folder of their own, never the peer's store.
/// </summary>
internal sealed class ClientGateway(PeerNode peer, long maxFileLength)
{
    public async Task ServeAsync(ClientRequest request, Stream stream, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromMilliseconds(request.TimeoutMilliseconds);
        Message? answer;
        try
        {
            answer = request switch
            {
                ClientStore store => await StoreAsync(store, stream, timeout, cancellationToken).ConfigureAwait(false),
                ClientFetch fetch => await FetchAsync(fetch, stream, timeout, cancellationToken).ConfigureAwait(false),
                ClientLookup lookup => await LookupAsync(lookup, timeout, cancellationToken).ConfigureAwait(false),
                ClientRemove remove => Done(await peer.RemoveAsync(remove.Name, timeout, cancellationToken).ConfigureAwait(false)),
                _ => Failure(ClientFailureKind.Invalid, $"Peer {peer.Id} serves no {request.GetType().Name} for clients."),
            };
        }
        catch (DhtFileException e)
        {
            answer = Failure(e.Failure switch
            {
                DhtFileFailure.NotFound => ClientFailureKind.NotFound,
                DhtFileFailure.TimedOut => ClientFailureKind.TimedOut,
                DhtFileFailure.TransferFailed => ClientFailureKind.TransferFailed,
                DhtFileFailure.NotRunning => ClientFailureKind.NotRunning,
                _ => ClientFailureKind.Unroutable,
            }, e.Message, e.PeerId);
        }
        catch (LookupException e)
        {
            answer = Failure(e.Failure switch
            {
                LookupFailure.TimedOut => ClientFailureKind.TimedOut,
                LookupFailure.NotRunning => ClientFailureKind.NotRunning,
                _ => ClientFailureKind.Unroutable,
            }, e.Message);
        }
        catch (Exception e) when (e is UnsafeFileNameException or ArgumentException)
        {
            answer = Failure(ClientFailureKind.Invalid, e.Message);
        }
        catch (Exception e) when (e is ProtocolException or FileContentMismatchException or TimeoutException)
        {
            answer = Failure(ClientFailureKind.TransferFailed, $"The file from the client did not arrive whole at Peer {peer.Id}; nothing was stored: {e.Message}");
        }
        if (answer is not null)
            await WriteAsync(stream, answer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Receives the client's file into staging, then stores it in the ring from there.</summary>
    private async Task<Message?> StoreAsync(ClientStore request, Stream stream, TimeSpan timeout, CancellationToken cancellationToken)
    {
        FileName.EnsureSafe(request.Name);
        await WriteAsync(stream, new Acknowledgement { Sender = peer.Contact, IdBits = peer.Space.Bits }, cancellationToken).ConfigureAwait(false);
        TransferHeader header;
        try
        {
            header = await FileReceiver.ReadHeaderAsync(stream, maxFileLength, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException e) when (e.Error == ProtocolError.Oversized)
        {
            return Refusal(ErrorCode.TooLarge, e.Message);
        }
        // A header is refused as any receiver refuses one: an error response where the resume offset would be.
        if (header.Name != request.Name)
            return Refusal(ErrorCode.Invalid, $"The client asked to store {request.Name} and sent {header.Name}.");
        using var staging = new Staging(peer.Id);
        var staged = staging.PathOf(header.Name);
        await using (var partial = PartialFile.Create(staged, header.Length, header.Sha256))
            await FileReceiver.ReceiveAsync(stream, header, partial, progress: null, cancellationToken).ConfigureAwait(false);
        return Done(await peer.StoreAsync(staged, header.Name, progress: null, timeout, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Fetches the file from the ring into staging, says what it is, then sends it to the client; null: nothing more to answer.</summary>
    private async Task<Message?> FetchAsync(ClientFetch request, Stream stream, TimeSpan timeout, CancellationToken cancellationToken)
    {
        FileName.EnsureSafe(request.Name);
        using var staging = new Staging(peer.Id);
        var staged = staging.PathOf(request.Name);
        var fetched = await peer.FetchAsync(request.Name, staged, progress: null, timeout, cancellationToken).ConfigureAwait(false);
        await WriteAsync(stream, Done(fetched), cancellationToken).ConfigureAwait(false);
        await using (var content = File.OpenRead(staged))
            await FileSender.SendAsync(stream, new TransferHeader(fetched.Name, fetched.Length, fetched.Sha256), content, progress: null, cancellationToken).ConfigureAwait(false);
        await FrameCodec.ReadAsync(stream, cancellationToken).ConfigureAwait(false); // The client's confirmation; it has what it needs either way.
        return null;
    }

    private async Task<Message?> LookupAsync(ClientLookup request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var key = request.Name is { } name ? FileKey.Of(name, peer.Space) : request.Key!.Value;
        if (!peer.Space.Contains(key))
            return Failure(ClientFailureKind.Invalid, $"Key {key} is outside the {peer.Space} (0..{peer.Space.MaxId}).");
        var lookup = await peer.LookupAsync(key, timeout, cancellationToken).ConfigureAwait(false);
        return new ClientLookupDone { Sender = peer.Contact, IdBits = peer.Space.Bits, Key = lookup.Key, Owner = lookup.Owner, Hops = lookup.Hops };
    }

    private ClientFileDone Done(DhtFileInfo file) => new()
    {
        Sender = peer.Contact,
        IdBits = peer.Space.Bits,
        Name = file.Name,
        Key = file.Key,
        StoredAt = file.StoredAt,
        Length = file.Length,
        Sha256 = file.Sha256,
        Hops = file.Hops,
        Replicas = file.Replicas,
        Version = file.Version,
    };

    private ErrorResponse Refusal(ErrorCode code, string reason) =>
        new() { Sender = peer.Contact, IdBits = peer.Space.Bits, Code = code, Reason = reason };

    private ClientFailure Failure(ClientFailureKind failure, string reason, ulong? peerId = null) =>
        new() { Sender = peer.Contact, IdBits = peer.Space.Bits, Failure = failure, Reason = reason, PeerId = peerId };

    private static async Task WriteAsync(Stream stream, Message message, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(MessageCodec.Encode(message, sequence: 0), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A folder of one client request's own, under the system's temporary folder; gone when the request is.</summary>
    private sealed class Staging : IDisposable
    {
        private readonly string _directory;

        public Staging(ulong peerId)
        {
            _directory = Path.Combine(Path.GetTempPath(), "DhtPs-client", $"peer-{peerId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(_directory);
        }

        public string PathOf(string name) => Path.Combine(_directory, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the system's temporary-file clean-up; it holds nothing of the peer's store.
            }
        }
    }
}
