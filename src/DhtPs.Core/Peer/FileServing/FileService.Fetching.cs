using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>SPEC §9: a file request is routed to the key's owner, which connects back to the requester and streams the file.</summary>
internal sealed partial class FileService
{
    /// <summary>
    /// Fetches <paramref name="name"/> from the ring into <paramref name="destinationPath"/> (whose directory must exist);
    /// the file appears there only complete and verified.
    /// </summary>
    /// <param name="timeout">How long the owner may take to answer or start sending.</param>
    /// <exception cref="UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="DhtFileException">Not found at its owner, not routed, timed out, or the bytes did not arrive whole.</exception>
    public async Task<DhtFileInfo> FetchAsync(string name, string destinationPath, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _context.Time.GetTimestamp();
        for (var skip = 0; ; skip++)
        {
            try
            {
                var fetched = await FetchCopyAsync(name, destinationPath, progress, timeout, skip, cancellationToken).ConfigureAwait(false);
                return fetched with { Elapsed = _context.Time.GetElapsedTime(started) };
            }
            catch (DhtFileException e) when (e.Failure == DhtFileFailure.TransferFailed && skip < _options.ReplicationFactor - 1)
            {
                // The copy did not arrive whole or failed its digest: the next holder's copy is asked for, never the same bytes again.
                _context.Post(() => _context.Raise(DhtEventKind.FileTransferRetrying, $"File {name} from Peer {e.PeerId} failed; asking the next copy: {e.Message}", e.PeerId));
            }
        }
    }

    /// <summary>
    /// One fetch, served by the holder <paramref name="skipCopies"/> places after the first one that has the file. With copies,
    /// another holder is asked at the same time for the digest it recorded (<see cref="SecondOpinionAsync"/>): the copy
    /// served must agree with it before a byte of it is kept.
    /// </summary>
    private async Task<DhtFileInfo> FetchCopyAsync(string name, string destinationPath, IProgress<TransferProgress>? progress, TimeSpan timeout, int skipCopies,
        CancellationToken cancellationToken)
    {
        var key = FileKey.Of(name, Space);
        var started = _context.Time.GetTimestamp();
        var request = new FetchRequest { Sender = Self, IdBits = Space.Bits, RequestId = _context.NewRequestId(), Name = name, Key = key, Origin = Self, SkipCopies = skipCopies };
        var pending = new PendingFileRequest(name, Path.GetFullPath(destinationPath), progress, cancellationToken, _context.CompletionOptions)
        {
            // The next holder after the one asked to serve: whichever one copy lies, two others still agree on the right one.
            SecondOpinion = Replicates ? SecondOpinionAsync(name, key, (skipCopies + 1) % _options.ReplicationFactor, cancellationToken) : null,
        };
        try
        {
            if (await RouteFromHereAsync(request, pending, timeout, cancellationToken).ConfigureAwait(false) is { } answer)
                throw answer.Outcome == RouteOutcome.NotStored
                    ? new DhtFileException(DhtFileFailure.NotFound, $"File {name} (key {key}) is not stored at Peer {answer.Sender.Id}, the peer that should hold it.", answer.Sender.Id)
                    : new DhtFileException(DhtFileFailure.Unroutable, $"The request for {name} did not reach its owner: {answer.Reason}", answer.Sender.Id);
            var received = await pending.Received.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return received with { Elapsed = _context.Time.GetElapsedTime(started) };
        }
        finally
        {
            _context.Post(() => EndFileRequest(request.RequestId));
        }
    }

    /// <summary>The answer of the holder <paramref name="skipCopies"/> places after the owner to a <see cref="DigestRequest"/>; null when none came in time.</summary>
    private async Task<RouteAnswer?> SecondOpinionAsync(string name, ulong key, int skipCopies, CancellationToken cancellationToken)
    {
        var request = new DigestRequest { Sender = Self, IdBits = Space.Bits, RequestId = _context.NewRequestId(), Name = name, Key = key, Origin = Self, SkipCopies = skipCopies };
        var pending = new PendingFileRequest(name, destination: null, progress: null, cancellationToken, _context.CompletionOptions);
        try
        {
            return await RouteFromHereAsync(request, pending, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (DhtFileException)
        {
            return null;
        }
        finally
        {
            _context.Post(() => EndFileRequest(request.RequestId));
        }
    }

    /// <summary>How long a delivery waits for the second opinion before it is kept unconfirmed (a dead holder must not stall every read).</summary>
    private TimeSpan SecondOpinionWait => _options.RequestTimeout / 5;

    /// <summary>
    /// The copy <paramref name="from"/> sends (its version, and the digest it recorded at store time) against another holder's
    /// record: the same version with other bytes, or a newer version there, and the copy is refused (the next copy is asked).
    /// A holder that has no copy, an older one, or no answer within <see cref="SecondOpinionWait"/> leaves the copy unconfirmed, not refused.
    /// </summary>
    /// <exception cref="DhtFileException">The copy disagrees with the other holder's record.</exception>
    private async Task CheckSecondOpinionAsync(PendingFileRequest pending, string sha256, FileVersion version, ulong from)
    {
        if (pending.SecondOpinion is not { } asked)
            return;
        RouteAnswer? opinion;
        try
        {
            opinion = await asked.WaitAsync(SecondOpinionWait, _context.Time, pending.CancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return;
        }
        if (opinion is not { Outcome: RouteOutcome.Recorded } recorded || recorded.Sender.Id == from)
            return;
        if (recorded.Version > version || recorded.Version == version && recorded.Sha256 != sha256)
        {
            var theirs = recorded.Sha256 is null ? "a removal" : $"SHA-256 {recorded.Sha256}";
            throw new DhtFileException(DhtFileFailure.TransferFailed,
                $"Peer {from} sent {pending.Name} at version {version} with SHA-256 {sha256}, but Peer {recorded.Sender.Id} recorded version {recorded.Version} with {theirs}; nothing was kept.", from);
        }
    }

    /// <summary>At the owner, off the logical thread: sends a stored file to the requester (itself when it asked itself).</summary>
    /// <param name="ownedFrom">This peer's first predecessor when it took the request, told to the origin for its owner cache.</param>
    private async Task DeliverAsync(FetchRequest request, ulong? ownedFrom)
    {
        try
        {
            var stored = Files.GetInfo(request.Name);
            await using var content = Files.Open(request.Name);
            if (request.Origin.Id == Self.Id)
            {
                await ReceiveLocallyAsync(request, stored, content).ConfigureAwait(false);
                return;
            }
            _context.Post(() => _context.Raise(DhtEventKind.FileSending, $"Sending file {request.Name} to Peer {request.Origin.Id}", request.Origin.Id));
            if (stored.Length <= _options.InlineFileSize)
            {
                await DeliverInlineAsync(request, ownedFrom, stored, content).ConfigureAwait(false);
                return;
            }
            var opening = new FileDelivery { Sender = Self, IdBits = Space.Bits, RequestId = request.RequestId, Hops = request.Hops, OwnedFrom = ownedFrom, Version = stored.Version };
            await using var stream = IdleLimited(await _context.OpenStreamAsync(request.Origin, opening, CancellationToken.None).ConfigureAwait(false));
            var header = new TransferHeader(stored.Name, stored.Length, stored.Sha256);
            var offset = await FileSender.AnnounceAsync(stream, header, CancellationToken.None).ConfigureAwait(false);
            if (await FileStreams.SendContentThenReadReplyAsync(stream, header, offset, content, progress: null, CancellationToken.None).ConfigureAwait(false) is ErrorResponse refused)
                throw await RefusedByOriginAsync(refused, stored, request.Origin.Id).ConfigureAwait(false);
            _context.Post(() => _context.Raise(DhtEventKind.FileSent, "The file has been sent", request.Origin.Id));
        }
        catch (Exception e)
        {
            _context.Post(() => _context.Raise(DhtEventKind.FileTransferFailed, $"Sending file {request.Name} to Peer {request.Origin.Id} failed: {e.Message}", request.Origin.Id));
        }
    }

    /// <summary>The origin refused a delivery: a copy it found corrupt is checked here and dropped if it is; the failure to report.</summary>
    private async Task<DhtFileException> RefusedByOriginAsync(ErrorResponse refused, StoredFile stored, ulong origin)
    {
        if (refused.Code == ErrorCode.ContentMismatch)
            await DropIfCorruptAsync(stored, origin).ConfigureAwait(false);
        return new DhtFileException(DhtFileFailure.TransferFailed, refused.Reason, origin);
    }

    /// <summary>The origin's answer to a delivery it could not keep: a copy whose bytes miss the digest recorded at store time is the holder's to drop and have copied again.</summary>
    private ErrorResponse DeliveryRefusal(Exception e) => Refuse(e is FileContentMismatchException ? ErrorCode.ContentMismatch : ErrorCode.Invalid, e.Message);

    /// <summary>A small file goes inside one message on the kept connection; the origin answers once it is in place.</summary>
    private async Task DeliverInlineAsync(FetchRequest request, ulong? ownedFrom, StoredFile stored, Stream content)
    {
        var bytes = new byte[stored.Length];
        await content.ReadExactlyAsync(bytes).ConfigureAwait(false);
        var message = new FileContent
        {
            Sender = Self, IdBits = Space.Bits, RequestId = request.RequestId, Name = stored.Name, Sha256 = stored.Sha256, Content = bytes,
            Hops = request.Hops, OwnedFrom = ownedFrom, Version = stored.Version,
        };
        var reply = await AskAsync(request.Origin, message).ConfigureAwait(false);
        if (reply?.Message is ErrorResponse refused)
            throw await RefusedByOriginAsync(refused, stored, request.Origin.Id).ConfigureAwait(false);
        if (reply?.Message is not Acknowledgement)
            throw new DhtFileException(DhtFileFailure.TransferFailed, reply?.Problem ?? "no answer in time", request.Origin.Id);
        _context.Post(() => _context.Raise(DhtEventKind.FileSent, "The file has been sent", request.Origin.Id));
    }

    /// <summary>
    /// At the requester: a small file delivered inside a message (<see cref="FileContent"/>), checked like a streamed one
    /// (its recorded digest, the second opinion) and written to the destination off the logical thread; answered once in place.
    /// </summary>
    public void HandleFileContent(FileContent delivery, Action<Message> reply)
    {
        var owner = delivery.Sender.Id;
        var pending = DeliveryArriving(delivery.RequestId);
        if (pending is null || !pending.Answered.TrySetResult(null))
        {
            reply(Refuse(ErrorCode.Invalid, $"Peer {Self.Id} is not waiting for this file (any more)."));
            return;
        }
        if (delivery.OwnedFrom is { } from)
            _context.LearnOwner(from, delivery.Sender);
        _context.Raise(DhtEventKind.FileLocated, $"Peer {owner} had File {pending.Name}", owner);
        _context.Raise(DhtEventKind.FileReceiving, $"Receiving File {pending.Name} from Peer {owner}", owner);
        _context.RunInBackground(async () =>
        {
            Message answer;
            try
            {
                if (delivery.Name != pending.Name)
                    throw new ProtocolException(ProtocolError.MalformedPayload, $"Peer {owner} sent {delivery.Name}, not {pending.Name}.");
                await CheckSecondOpinionAsync(pending, delivery.Sha256, delivery.Version, owner).ConfigureAwait(false);
                await using (var partial = PartialFile.Create(pending.Destination!, delivery.Content.Length, delivery.Sha256, _context.FileSystem))
                {
                    await partial.WriteAsync(delivery.Content, pending.CancellationToken).ConfigureAwait(false);
                    await partial.CommitAsync(pending.CancellationToken).ConfigureAwait(false);
                }
                _context.Post(() => _context.Raise(DhtEventKind.FileReceived, $"File {pending.Name} received", owner));
                pending.Received.TrySetResult(new DhtFileInfo(delivery.Name, FileKey.Of(delivery.Name, Space), owner, delivery.Content.Length, delivery.Sha256, delivery.Hops,
                    TimeSpan.Zero, pending.Destination) { Version = delivery.Version });
                answer = Ack();
            }
            catch (Exception e)
            {
                _context.Post(() => _context.Raise(DhtEventKind.FileTransferFailed, $"Receiving File {pending.Name} from Peer {owner} failed: {e.Message}", owner));
                pending.Received.TrySetException(AsTransferFailure(e, pending.Name, owner));
                answer = DeliveryRefusal(e);
            }
            _context.Post(() => reply(answer));
        });
    }

    /// <summary>A requester that owns the file itself copies it from its store to the destination, verified like a transfer.</summary>
    private async Task ReceiveLocallyAsync(FetchRequest request, StoredFile stored, Stream content)
    {
        if (await Call(() => DeliveryArriving(request.RequestId), CancellationToken.None).ConfigureAwait(false) is not { } pending)
            return;
        pending.Answered.TrySetResult(null);
        try
        {
            await CheckSecondOpinionAsync(pending, stored.Sha256, stored.Version, Self.Id).ConfigureAwait(false);
            var buffer = new byte[FileSender.ChunkLength];
            await using (var partial = PartialFile.Create(pending.Destination!, stored.Length, stored.Sha256, _context.FileSystem))
            {
                int read;
                while ((read = await content.ReadAsync(buffer, pending.CancellationToken).ConfigureAwait(false)) > 0)
                    await partial.WriteAsync(buffer.AsMemory(0, read), pending.CancellationToken).ConfigureAwait(false);
                await partial.CommitAsync(pending.CancellationToken).ConfigureAwait(false);
            }
            _context.Post(() => _context.Raise(DhtEventKind.FileReceived, $"File {request.Name} received", Self.Id));
            pending.Received.TrySetResult(new DhtFileInfo(stored.Name, stored.Key, Self.Id, stored.Length, stored.Sha256, request.Hops, TimeSpan.Zero, pending.Destination)
            {
                Version = stored.Version,
            });
        }
        catch (Exception e)
        {
            if (e is FileContentMismatchException)
                await DropIfCorruptAsync(stored, Self.Id).ConfigureAwait(false);
            pending.Received.TrySetException(AsTransferFailure(e, request.Name, Self.Id));
        }
    }

    /// <summary>At the requester, off the logical thread: receives a delivery for a fetch it is waiting on, and confirms it.</summary>
    public async Task ReceiveDeliveryAsync(FileDelivery delivery, Stream stream, CancellationToken cancellationToken)
    {
        var owner = delivery.Sender.Id;
        var pending = await Call(() =>
        {
            var waiting = DeliveryArriving(delivery.RequestId);
            if (waiting is not null && delivery.OwnedFrom is { } from)
                _context.LearnOwner(from, delivery.Sender);
            return waiting;
        }, cancellationToken).ConfigureAwait(false);
        if (pending is null || !pending.Answered.TrySetResult(null))
        {
            await FileStreams.WriteReplyAsync(stream, Refuse(ErrorCode.Invalid, $"Peer {Self.Id} is not waiting for this file (any more)."), cancellationToken).ConfigureAwait(false);
            return;
        }
        _context.Post(() =>
        {
            _context.Raise(DhtEventKind.FileLocated, $"Peer {owner} had File {pending.Name}", owner);
            _context.Raise(DhtEventKind.FileReceiving, $"Receiving File {pending.Name} from Peer {owner}", owner);
        });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, pending.CancellationToken);
        try
        {
            var header = await FileReceiver.ReadHeaderAsync(stream, _options.MaxFileSize, cancel.Token).ConfigureAwait(false);
            if (header.Name != pending.Name)
                throw new ProtocolException(ProtocolError.MalformedPayload, $"Peer {owner} sent {header.Name}, not {pending.Name}.");
            await CheckSecondOpinionAsync(pending, header.Sha256, delivery.Version, owner).ConfigureAwait(false);
            if (RefuseWithoutRoom(header, Path.GetDirectoryName(pending.Destination)!) is { } noRoom)
                throw new DhtFileException(DhtFileFailure.TransferFailed, $"File {pending.Name} from Peer {owner} was not received: {noRoom.Reason}", owner);
            // Resumable: a fetch cut off (or cancelled) and run again continues where it stopped.
            await using (var partial = await PartialFile.ResumeAsync(_context.FileSystem, pending.Destination!, header.Length, header.Sha256, cancel.Token).ConfigureAwait(false))
            {
                if (partial.ResumedFrom > 0)
                    _context.Post(() => _context.Raise(DhtEventKind.FileResuming, $"Resuming File {pending.Name} at {partial.ResumedFrom} of {header.Length} bytes from Peer {owner}", owner));
                await FileReceiver.ReceiveAsync(stream, header, partial, pending.Progress, cancel.Token).ConfigureAwait(false);
            }
            _context.Post(() => _context.Raise(DhtEventKind.FileReceived, $"File {pending.Name} received", owner));
            pending.Received.TrySetResult(new DhtFileInfo(header.Name, FileKey.Of(header.Name, Space), owner, header.Length, header.Sha256, delivery.Hops, TimeSpan.Zero, pending.Destination)
            {
                Version = delivery.Version,
            });
        }
        catch (Exception e)
        {
            _context.Post(() => _context.Raise(DhtEventKind.FileTransferFailed, $"Receiving File {pending.Name} from Peer {owner} failed: {e.Message}", owner));
            pending.Received.TrySetException(AsTransferFailure(e, pending.Name, owner));
            await FileStreams.WriteReplyAsync(stream, DeliveryRefusal(e), CancellationToken.None).ConfigureAwait(false);
            return;
        }
        await FileStreams.WriteReplyAsync(stream, Ack(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Off the logical thread, at a holder whose copy a reader found corrupt (or the scrub rereads): hashes it again, and if
    /// its bytes no longer match the digest recorded when it was stored, drops it, so that the next replication pass (the
    /// owner's, or, at the owner, the holders giving back what it lacks) copies a good one here again. A copy that checks out stays.
    /// </summary>
    private async Task DropIfCorruptAsync(StoredFile stored, ulong reportedBy)
    {
        try
        {
            string actual;
            await using (var content = Files.Open(stored.Name))
                actual = await FileDigest.ComputeAsync(content, CancellationToken.None).ConfigureAwait(false);
            if (actual == stored.Sha256 || Files.Find(stored.Name) is not { } record || record.Version != stored.Version || !Files.Delete(stored.Name))
                return;
            _context.Post(() =>
            {
                _context.Raise(DhtEventKind.FileCorruptCopyDropped,
                    $"File {stored.Name} here is corrupt (SHA-256 {actual}, {stored.Sha256} recorded at store time); dropped, to be copied again from a good copy", reportedBy);
                ScheduleReplication(PassDelay);
            });
        }
        catch (IOException)
        {
            // Gone or changing meanwhile: nothing left to judge.
        }
    }

    /// <summary>The fetch a delivery answers, if this peer still waits for it: the file itself is the answer, so the route's deadline ends.</summary>
    private PendingFileRequest? DeliveryArriving(string requestId)
    {
        if (!_pendingFileRequests.TryGetValue(requestId, out var pending))
            return null;
        _context.ForgetRoute(requestId);
        return pending;
    }

    private static Exception AsTransferFailure(Exception e, string name, ulong peerId) => e switch
    {
        OperationCanceledException or DhtFileException => e,
        TimeoutException => new DhtFileException(DhtFileFailure.TimedOut, $"File {name} from Peer {peerId} stalled; nothing was kept: {e.Message}", peerId, e),
        _ => new DhtFileException(DhtFileFailure.TransferFailed, $"File {name} from Peer {peerId} did not arrive whole; nothing was kept: {e.Message}", peerId, e),
    };
}
