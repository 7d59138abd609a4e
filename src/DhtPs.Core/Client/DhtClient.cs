using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Client;

/// <summary>
/// Client mode: a process that runs no peer stores, fetches and looks up through any peer of a ring, which acts
/// as origin on the client's behalf (<see cref="ClientRequest"/>, served by the peer's ClientGateway). Each operation
/// is one outgoing TCP connection that also carries the file's bytes; the client listens on nothing.
/// The ring's id width is learned from the entry peer (a refusal in another width says which), so callers need not know it.
/// </summary>
/// <param name="expectedId">The entry peer's id when the caller named it (id@host:port): a peer of another id there is refused.</param>
public sealed class DhtClient(IPEndPoint entry, int idBits = IdSpace.DefaultBits, ulong? expectedId = null, WireCodec? codec = null) : IRingEntry
{
    /// <summary>How long connecting to the entry peer may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Beyond the ring's own timeout, how long the client waits for the entry peer's verdict: the entry peer may
    /// still be moving the file to or from its owner, with no byte crossing the client's connection meanwhile.
    /// </summary>
    public static readonly TimeSpan VerdictAllowance = TimeSpan.FromSeconds(60);

    /// <summary>How long a transfer may go without a byte moving, as between peers (<see cref="PeerOptions.TransferIdleTimeout"/>).</summary>
    public static readonly TimeSpan TransferIdleTimeout = TimeSpan.FromSeconds(30);

    private int _idBits = idBits;

    public IPEndPoint Entry { get; } = entry;

    public string Description => expectedId is { } id ? $"Peer {id} at {Entry}" : $"the peer at {Entry}";

    public async Task<DhtFileInfo> StoreAsync(string localPath, string? name, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        name ??= Path.GetFileName(localPath);
        FileName.EnsureSafe(name);
        if (!File.Exists(localPath))
            throw new FileNotFoundException($"File does not exist: {localPath}", localPath);
        var started = TimeProvider.System.GetTimestamp();
        await using var content = File.OpenRead(localPath);
        var sha256 = await FileDigest.ComputeAsync(content, cancellationToken).ConfigureAwait(false);
        content.Position = 0;
        var header = new TransferHeader(name, content.Length, sha256);

        var (connection, go) = await OpenAsync(self => new ClientStore { Sender = self, IdBits = _idBits, TimeoutMilliseconds = Milliseconds(timeout), Name = name },
            cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            if (go is not Acknowledgement)
                throw FileFailure(go, name);
            var transfer = new IdleTimeoutStream(connection.Stream, TransferIdleTimeout, TimeProvider.System);
            try
            {
                var offset = await FileSender.AnnounceAsync(transfer, header, cancellationToken).ConfigureAwait(false);
                await FileSender.SendContentAsync(transfer, header, offset, content, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (TransferRefusedException e)
            {
                throw new DhtFileException(DhtFileFailure.TransferFailed, $"{Description} refused {name}: {e.Message}", inner: e);
            }
            catch (IOException e)
            {
                // The entry peer may have refused and closed mid-transfer; its reason is worth more than the broken pipe.
                using var reason = Verdict(TimeSpan.Zero, cancellationToken);
                throw FileFailure(await TryReadAsync(connection, reason.Token).ConfigureAwait(false), name, e);
            }
            catch (TimeoutException e)
            {
                throw new DhtFileException(DhtFileFailure.TimedOut, $"Sending {name} to {Description} stalled: {e.Message}", inner: e);
            }
            using var verdict = Verdict(timeout, cancellationToken);
            var done = await ReadVerdictAsync(connection, name, verdict.Token, cancellationToken).ConfigureAwait(false);
            return Outcome(done, started);
        }
    }

    public async Task<DhtFileInfo> RemoveAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        FileName.EnsureSafe(name);
        var started = TimeProvider.System.GetTimestamp();
        var (connection, answer) = await OpenAsync(self => new ClientRemove { Sender = self, IdBits = _idBits, TimeoutMilliseconds = Milliseconds(timeout), Name = name },
            cancellationToken, verdictTimeout: timeout).ConfigureAwait(false);
        await using (connection)
        {
            if (answer is not ClientFileDone done)
                throw FileFailure(answer, name);
            return Outcome(done, started);
        }
    }

    public async Task<DhtFileInfo> FetchAsync(string name, string destinationPath, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        FileName.EnsureSafe(name);
        destinationPath = Path.GetFullPath(destinationPath);
        var started = TimeProvider.System.GetTimestamp();
        var (connection, first) = await OpenAsync(self => new ClientFetch { Sender = self, IdBits = _idBits, TimeoutMilliseconds = Milliseconds(timeout), Name = name },
            cancellationToken, verdictTimeout: timeout).ConfigureAwait(false);
        await using (connection)
        {
            if (first is not ClientFileDone done)
                throw FileFailure(first, name);
            var transfer = new IdleTimeoutStream(connection.Stream, TransferIdleTimeout, TimeProvider.System);
            try
            {
                var header = await FileReceiver.ReadHeaderAsync(transfer, long.MaxValue, cancellationToken).ConfigureAwait(false);
                if (header.Name != name || header.Sha256 != done.Sha256 || header.Length != done.Length)
                    throw new ProtocolException(ProtocolError.MalformedPayload, $"{Description} announced {name} and sent another file.");
                // Resumable, as a peer's own fetch: one stopped with Ctrl+C and run again continues where it stopped.
                await using (var partial = await PartialFile.ResumeAsync(destinationPath, header.Length, header.Sha256, cancellationToken).ConfigureAwait(false))
                    await FileReceiver.ReceiveAsync(transfer, header, partial, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new DhtFileException(DhtFileFailure.TimedOut, $"File {name} from {Description} stalled; what arrived is kept for a retry: {e.Message}", done.StoredAt, e);
            }
            catch (Exception e) when (e is IOException or ProtocolException or FileContentMismatchException)
            {
                throw new DhtFileException(DhtFileFailure.TransferFailed, $"File {name} from {Description} did not arrive whole; nothing was kept: {e.Message}", done.StoredAt, e);
            }
            await connection.WriteMessageAsync(new Acknowledgement { Sender = connection.Self, IdBits = _idBits }, cancellationToken).ConfigureAwait(false);
            return Outcome(done, started, destinationPath);
        }
    }

    public async Task<DhtLookup> LookupAsync(string? name, ulong? key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (name is not null)
            FileName.EnsureSafe(name);
        OutboundConnection connection;
        Message answer;
        try
        {
            (connection, answer) = await OpenAsync(self => new ClientLookup { Sender = self, IdBits = _idBits, TimeoutMilliseconds = Milliseconds(timeout), Name = name, Key = name is null ? key : null },
                cancellationToken, verdictTimeout: timeout).ConfigureAwait(false);
        }
        catch (DhtFileException e)
        {
            throw new LookupException(e.Failure == DhtFileFailure.TimedOut ? LookupFailure.TimedOut : LookupFailure.Unroutable, e.Message);
        }
        await using (connection)
        {
            return answer switch
            {
                ClientLookupDone done => new DhtLookup(done.Key, done.Owner, done.Hops),
                ClientFailure { Failure: ClientFailureKind.Invalid } invalid => throw new ArgumentOutOfRangeException(name is null ? nameof(key) : nameof(name), invalid.Reason),
                ClientFailure failure => throw new LookupException(failure.Failure switch
                {
                    ClientFailureKind.TimedOut => LookupFailure.TimedOut,
                    ClientFailureKind.NotRunning => LookupFailure.NotRunning,
                    _ => LookupFailure.Unroutable,
                }, failure.Reason),
                ErrorResponse error => throw new LookupException(LookupFailure.Unroutable, $"{Description} refused the lookup: {error.Reason}"),
                _ => throw new LookupException(LookupFailure.Unroutable, $"{Description} sent a {answer.GetType().Name}, not a lookup's answer."),
            };
        }
    }

    /// <summary>The walk asks each member itself, on connections of its own: members are reachable wherever their entry is.</summary>
    public async Task<RingWalk> WalkRingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var walk = await RingWalker.WalkFromOutsideAsync(Entry, new IdSpace(_idBits), timeout, cancellationToken, codec).ConfigureAwait(false);
        return expectedId is { } id && walk.Members is [var first, ..] && first.Id != id
            ? walk with { Closed = false, Problem = $"The peer at {Entry} is Peer {first.Id}, not Peer {id}." }
            : walk;
    }

    /// <summary>What the entry peer reported of a store, fetch or removal (a fetch's copies are left out), timed from <paramref name="started"/>.</summary>
    private static DhtFileInfo Outcome(ClientFileDone done, long started, string? path = null) =>
        new(done.Name, done.Key, done.StoredAt, done.Length, done.Sha256, done.Hops, TimeProvider.System.GetElapsedTime(started), path)
        {
            Replicas = done.Replicas,
            Version = done.Version,
        };

    /// <summary>Each question on a connection of its own, as the walk asks.</summary>
    public Task<Message> AskMemberAsync(IPEndPoint member, Func<PeerContact, Message> request, TimeSpan timeout, CancellationToken cancellationToken) =>
        OutboundConnection.RequestAsync(member, request, timeout, cancellationToken, codec);

    /// <summary>
    /// Connects, sends the opening and reads the first answer. An entry peer of another id width refuses and names its
    /// width; the client then asks again in that width.
    /// </summary>
    private async Task<(OutboundConnection Connection, Message First)> OpenAsync(Func<PeerContact, ClientRequest> opening, CancellationToken cancellationToken,
        TimeSpan? verdictTimeout = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await Connect(cancellationToken).ConfigureAwait(false);
            try
            {
                using var deadline = Verdict(verdictTimeout ?? TimeSpan.Zero, cancellationToken);
                await connection.SendOpeningAsync(opening(connection.Self), deadline.Token).ConfigureAwait(false);
                var first = await connection.ReadMessageAsync(deadline.Token).ConfigureAwait(false);
                if (first is ErrorResponse { Code: ErrorCode.IdBitsMismatch } mismatch && attempt == 1 && mismatch.IdBits != _idBits)
                {
                    _idBits = mismatch.IdBits;
                    await connection.DisposeAsync().ConfigureAwait(false);
                    continue;
                }
                if (expectedId is { } id && first.Sender.Id != id)
                    throw new DhtFileException(DhtFileFailure.Unroutable, $"The peer at {Entry} is Peer {first.Sender.Id}, not Peer {id}.", first.Sender.Id);
                return (connection, first);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new DhtFileException(DhtFileFailure.TimedOut, $"{Description} did not answer in time.");
            }
            catch (IOException e)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new DhtFileException(DhtFileFailure.Unroutable, $"{Description} could not be reached: {e.Message}", inner: e);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private async Task<OutboundConnection> Connect(CancellationToken cancellationToken)
    {
        try
        {
            return await OutboundConnection.ConnectAsync(Entry, ConnectTimeout, cancellationToken, codec).ConfigureAwait(false);
        }
        catch (TransportException e)
        {
            throw new DhtFileException(DhtFileFailure.Unroutable, e.Message, inner: e);
        }
    }

    private async Task<ClientFileDone> ReadVerdictAsync(OutboundConnection connection, string name, CancellationToken verdict, CancellationToken cancellationToken)
    {
        Message answer;
        try
        {
            answer = await connection.ReadMessageAsync(verdict).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DhtFileException(DhtFileFailure.TimedOut, $"{Description} gave no verdict on {name} in time.");
        }
        catch (TransportException e)
        {
            throw new DhtFileException(DhtFileFailure.TransferFailed, $"{Description} closed before confirming {name}: {e.Message}", inner: e);
        }
        return answer as ClientFileDone ?? throw FileFailure(answer, name);
    }

    private static async Task<Message?> TryReadAsync(OutboundConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TransportException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The failure an entry peer's answer reports, as the local peer's operations would throw it.</summary>
    private DhtFileException FileFailure(Message? answer, string name, Exception? inner = null) => answer switch
    {
        ClientFailure failure => new DhtFileException(failure.Failure switch
        {
            ClientFailureKind.NotFound => DhtFileFailure.NotFound,
            ClientFailureKind.TimedOut => DhtFileFailure.TimedOut,
            ClientFailureKind.TransferFailed => DhtFileFailure.TransferFailed,
            ClientFailureKind.NotRunning => DhtFileFailure.NotRunning,
            _ => DhtFileFailure.Unroutable,
        }, failure.Reason, failure.PeerId, inner),
        ErrorResponse error => new DhtFileException(error.Code == ErrorCode.NotRunning ? DhtFileFailure.NotRunning : DhtFileFailure.Unroutable,
            $"{Description} refused {name}: {error.Reason}", error.Sender.Id, inner),
        null => new DhtFileException(DhtFileFailure.TransferFailed, $"{Description} broke off the transfer of {name}: {inner?.Message}", inner: inner),
        _ => new DhtFileException(DhtFileFailure.TransferFailed, $"{Description} answered {name} with a {answer.GetType().Name}.", inner: inner),
    };

    /// <summary>The ring's timeout plus <see cref="VerdictAllowance"/>; zero means the allowance alone.</summary>
    private static CancellationTokenSource Verdict(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout + VerdictAllowance);
        return source;
    }

    private static int Milliseconds(TimeSpan timeout) => (int)Math.Clamp(timeout.TotalMilliseconds, 1, ClientRequest.MaxTimeoutMilliseconds);
}
