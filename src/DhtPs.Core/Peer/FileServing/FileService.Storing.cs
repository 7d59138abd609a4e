using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>SPEC §8: a store enters the ring here, is routed to the key's owner, and the bytes are streamed to it.</summary>
internal sealed partial class FileService
{
    /// <summary>How often an upload is tried before it fails; enough to ride out a dropped connection or a corrupt held prefix.</summary>
    private const int UploadAttempts = 3;

    /// <summary>The pause before the second attempt; it grows linearly after that.</summary>
    private static readonly TimeSpan UploadRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Stores the local file <paramref name="localPath"/> in the ring as <paramref name="name"/> (default: its file name).
    /// Nothing is sent when the name is unsafe or the file does not exist.
    /// </summary>
    /// <param name="timeout">How long the owner may take to accept the store.</param>
    /// <exception cref="UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="FileNotFoundException">The local file does not exist.</exception>
    /// <exception cref="DhtFileException">The store was not routed, timed out, or its bytes did not arrive whole.</exception>
    public async Task<DhtFileInfo> StoreAsync(string localPath, string? name, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        name ??= Path.GetFileName(localPath);
        var key = FileKey.Of(name, Space);
        if (!_context.FileSystem.FileExists(localPath))
            throw new FileNotFoundException($"File does not exist: {localPath}", localPath);
        var started = _context.Time.GetTimestamp();
        await using var content = _context.FileSystem.OpenRead(localPath);
        var sha256 = await FileDigest.ComputeAsync(content, cancellationToken).ConfigureAwait(false);
        content.Position = 0;
        var header = new TransferHeader(name, content.Length, sha256);

        var request = new StoreRequest { Sender = Self, IdBits = Space.Bits, RequestId = _context.NewRequestId(), Name = name, Key = key, Origin = Self };
        var pending = new PendingFileRequest(name, destination: null, progress, cancellationToken, _context.CompletionOptions);
        RouteAnswer answer;
        try
        {
            answer = await RouteFromHereAsync(request, pending, timeout, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("A store is never answered with a delivery.");
        }
        finally
        {
            _context.Post(() => EndFileRequest(request.RequestId));
        }
        if (answer.Outcome != RouteOutcome.StoreAccepted)
            throw new DhtFileException(DhtFileFailure.Unroutable, $"Store {name} was not accepted: {answer.Reason}", answer.Sender.Id);

        var (copies, version) = answer.Sender.Id == Self.Id
            ? await StoreLocallyAsync(header, content, request.RequestId, cancellationToken).ConfigureAwait(false)
            : await UploadAsync(answer.Sender, header, content, UploadPurpose.Store, FileVersion.Unknown, request.RequestId, progress, cancellationToken).ConfigureAwait(false);
        return new DhtFileInfo(name, key, answer.Sender.Id, header.Length, sha256, answer.Hops, _context.Time.GetElapsedTime(started)) { Replicas = copies, Version = version };
    }

    /// <summary>The entry peer owns the key itself: the file goes straight into its store and to its holders, as an upload would; returns the copies and the version.</summary>
    private async Task<(int Copies, FileVersion Version)> StoreLocallyAsync(TransferHeader header, Stream content, string requestId, CancellationToken cancellationToken)
    {
        var version = await Call(() => AcceptedVersion(requestId, header.Name), cancellationToken).ConfigureAwait(false);
        if (RefuseOverStorageQuota(header) is { } overQuota)
            throw new DhtFileException(DhtFileFailure.TransferFailed, $"Peer {Self.Id} refused {header.Name}: {overQuota.Reason}", Self.Id);
        try
        {
            await Files.StoreAsync(header.Name, content, header.Length, header.Sha256, version, cancellationToken).ConfigureAwait(false);
        }
        catch (FileContentMismatchException e)
        {
            throw new DhtFileException(DhtFileFailure.TransferFailed, $"{header.Name} changed while it was being stored; nothing was kept: {e.Message}", Self.Id, e);
        }
        _context.Post(() => _context.Raise(DhtEventKind.FileStored, $"File {header.Name} has been stored here", Self.Id));
        _context.Post(() => _acceptedStores.Remove(requestId));
        var (held, required) = await ReplicateStoredAsync(header.Name).ConfigureAwait(false);
        if (held < required)
            throw new DhtFileException(DhtFileFailure.TransferFailed, QuorumShortfall(header.Name, held, required), Self.Id);
        return (held, version);
    }

    private string QuorumShortfall(string name, int held, int required) =>
        $"Peer {Self.Id} stored {name}, but only {held} of the {required} copies a store needs were confirmed; the store is not acknowledged.";

    /// <summary>
    /// Streams a file to <paramref name="to"/>, which keeps it; returns once it has confirmed the verified copy.
    /// A transfer that fails after the header was accepted is tried again, <see cref="UploadAttempts"/> times
    /// in all: the receiver keeps what arrived, so each attempt sends only the rest.
    /// </summary>
    /// <param name="content">Seekable, positioned at the file's first byte.</param>
    /// <param name="requestId">For a store: the id of the request <paramref name="to"/> accepted.</param>
    /// <param name="version">The version sent (a store's comes from its owner instead).</param>
    /// <returns>How many copies the receiver reports for a store (1 for every other upload), and the version it kept.</returns>
    /// <exception cref="DhtFileException">The peer could not be reached, refused or lost the bytes, or the transfer stalled.</exception>
    private async Task<(int Copies, FileVersion Version)> UploadAsync(PeerContact to, TransferHeader header, Stream content, UploadPurpose purpose, FileVersion version,
        string? requestId, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var start = content.Position;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                content.Position = start;
                return await UploadOnceAsync(to, header, content, purpose, version, requestId, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (DhtFileException e) when (attempt < UploadAttempts && e.Failure == DhtFileFailure.TransferFailed && e.InnerException is not TransferRefusedException)
            {
                _context.Post(() => _context.Raise(DhtEventKind.FileTransferRetrying,
                    $"Sending File {header.Name} to Peer {to.Id} failed (attempt {attempt} of {UploadAttempts}); trying again: {e.Message}", to.Id));
                await Task.Delay(UploadRetryDelay * attempt, _context.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Off the logical thread: uploads the copy of <paramref name="name"/> this peer holds, at its version. Returns the file
    /// as sent, and whether <paramref name="to"/> held that version or a newer one already (it refused it as AlreadyStored);
    /// null when the file is gone from here since it was listed. Hand-offs, take-overs, copies and returns all send so.
    /// </summary>
    /// <exception cref="DhtFileException">As <see cref="UploadAsync"/>: the copy did not reach <paramref name="to"/>.</exception>
    private async Task<(StoredFile File, bool HeldAlready)?> SendHeldCopyAsync(PeerContact to, string name, UploadPurpose purpose)
    {
        StoredFile file;
        try
        {
            file = Files.GetInfo(name);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        try
        {
            await using var content = Files.Open(name);
            return await SendCopyOfAsync(to, file, content, purpose).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Uploads <paramref name="content"/>, all of <paramref name="file"/> at its version; also whether <paramref name="to"/> held that version or a newer one already.</summary>
    private async Task<(StoredFile File, bool HeldAlready)> SendCopyOfAsync(PeerContact to, StoredFile file, Stream content, UploadPurpose purpose)
    {
        try
        {
            await UploadAsync(to, new TransferHeader(file.Name, file.Length, file.Sha256), content, purpose, file.Version, requestId: null, progress: null,
                CancellationToken.None).ConfigureAwait(false);
            return (file, false);
        }
        catch (DhtFileException e) when (e.InnerException is TransferRefusedException { Code: ErrorCode.AlreadyStored })
        {
            return (file, true);
        }
    }

    private async Task<(int Copies, FileVersion Version)> UploadOnceAsync(PeerContact to, TransferHeader header, Stream content, UploadPurpose purpose, FileVersion version,
        string? requestId, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            var reply = header.Length <= _options.InlineFileSize
                ? await UploadInlineAsync(to, header, content, purpose, version, requestId, progress, cancellationToken).ConfigureAwait(false)
                : await UploadOnStreamAsync(to, header, content, purpose, version, requestId, progress, cancellationToken).ConfigureAwait(false);
            if (reply is ErrorResponse { Code: ErrorCode.QuorumNotReached } shortOfQuorum)
                throw new DhtFileException(DhtFileFailure.TransferFailed, shortOfQuorum.Reason, to.Id, new TransferRefusedException(shortOfQuorum)); // kept there: no retry
            if (reply is ErrorResponse refused)
                throw new DhtFileException(DhtFileFailure.TransferFailed, $"Peer {to.Id} did not keep {header.Name}: {refused.Reason}", to.Id);
            var ack = reply as Acknowledgement;
            return (Math.Max(1, ack?.Copies ?? 1), ack?.Version ?? version);
        }
        catch (TransferRefusedException e)
        {
            var failure = e.Code == ErrorCode.NotRunning ? DhtFileFailure.NotRunning : DhtFileFailure.TransferFailed;
            throw new DhtFileException(failure, $"Peer {to.Id} refused {header.Name}: {e.Message}", to.Id, e);
        }
        catch (TimeoutException e)
        {
            throw new DhtFileException(DhtFileFailure.TimedOut, $"Sending {header.Name} to Peer {to.Id} stalled: {e.Message}", to.Id, e);
        }
        catch (Exception e) when (e is IOException or ProtocolException or Transport.TransportException)
        {
            throw new DhtFileException(DhtFileFailure.TransferFailed, $"Sending {header.Name} to Peer {to.Id} failed: {e.Message}", to.Id, e);
        }
    }

    private async Task<Message> UploadOnStreamAsync(PeerContact to, TransferHeader header, Stream content, UploadPurpose purpose, FileVersion version,
        string? requestId, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var opening = new FileUpload { Sender = Self, IdBits = Space.Bits, Purpose = purpose, RequestId = requestId, Version = version };
        await using var stream = IdleLimited(await _context.OpenStreamAsync(to, opening, cancellationToken).ConfigureAwait(false));
        var offset = await FileSender.AnnounceAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (offset > 0)
            _context.Post(() => _context.Raise(DhtEventKind.FileResuming, $"Resuming File {header.Name} at {offset} of {header.Length} bytes for Peer {to.Id}", to.Id));
        return await FileStreams.SendContentThenReadReplyAsync(stream, header, offset, content, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A small file goes inside one message on the kept connection: no connection of its own, no resume round trip. The
    /// answer may wait for the receiver's write quorum, so it is waited for as long as a stream's verdict would be.
    /// </summary>
    /// <exception cref="TransferRefusedException">The receiver refused the upload itself (admission, room); a failure to keep it (Invalid) is worth retrying instead.</exception>
    private async Task<Message> UploadInlineAsync(PeerContact to, TransferHeader header, Stream content, UploadPurpose purpose, FileVersion version,
        string? requestId, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var bytes = new byte[header.Length];
        await content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        var upload = new FileUploadContent
        {
            Sender = Self, IdBits = Space.Bits, Purpose = purpose, RequestId = requestId, Version = version, Name = header.Name, Sha256 = header.Sha256, Content = bytes,
        };
        var reply = await AskAsync(to, upload, cancellationToken, _options.TransferIdleTimeout).ConfigureAwait(false);
        switch (reply?.Message)
        {
            case null:
                throw new IOException(reply?.Problem ?? "no answer in time");
            case ErrorResponse { Code: not (ErrorCode.Invalid or ErrorCode.QuorumNotReached) } refused:
                throw new TransferRefusedException(refused);
            case var answer:
                progress?.Report(new TransferProgress(header.Name, header.Length, header.Length));
                return answer;
        }
    }

    /// <summary>
    /// At the receiver of an upload: reads the header, keeps the file only when it was asked for and fits
    /// (<see cref="KeepUploadAsync"/>), then confirms or refuses it.
    /// </summary>
    public async Task ReceiveUploadAsync(FileUpload upload, Stream stream, CancellationToken cancellationToken)
    {
        var from = upload.Sender.Id;
        TransferHeader header;
        try
        {
            header = await FileReceiver.ReadHeaderAsync(stream, _options.MaxFileSize, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException e) when (e.Error == ProtocolError.Oversized)
        {
            await FileStreams.WriteReplyAsync(stream, Refused(from, Refuse(ErrorCode.TooLarge, e.Message)), cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is IOException or ProtocolException or UnsafeFileNameException or TimeoutException)
        {
            _context.Post(() => _context.Raise(DhtEventKind.FileTransferFailed, $"A file from Peer {from} was not stored: {e.Message}", from));
            await FileStreams.WriteReplyAsync(stream, Refuse(ErrorCode.Invalid, e.Message), cancellationToken).ConfigureAwait(false);
            return;
        }
        // Resumable: a retried upload of the same content continues from the bytes that arrived before.
        var verdict = await KeepUploadAsync(upload, header,
            version => Files.ResumeStoreAsync(header.Name, header.Length, header.Sha256, version, cancellationToken),
            partial => FileReceiver.ReceiveAsync(stream, header, partial, progress: null, cancellationToken), cancellationToken).ConfigureAwait(false);
        await FileStreams.WriteReplyAsync(stream, verdict, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On the logical thread: a small upload inside a message (<see cref="FileUploadContent"/>), kept like a streamed one off the logical thread and answered once it is.</summary>
    public void HandleUploadContent(FileUploadContent content, Action<Message> reply)
    {
        var header = new TransferHeader(content.Name, content.Content.Length, content.Sha256);
        var upload = content.AsUpload();
        if (header.Length > _options.MaxFileSize)
        {
            reply(Refused(upload.Sender.Id, Refuse(ErrorCode.TooLarge, $"{header.Name} is announced with {header.Length} bytes; the limit is {_options.MaxFileSize}."), header.Name));
            return;
        }
        _context.RunInBackground(async () =>
        {
            var verdict = await KeepUploadAsync(upload, header,
                version => Task.FromResult(Files.BeginStore(header.Name, header.Length, header.Sha256, version)),
                async partial =>
                {
                    await partial.WriteAsync(content.Content, CancellationToken.None).ConfigureAwait(false);
                    await partial.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                }, CancellationToken.None, content.Content).ConfigureAwait(false);
            _context.Post(() => reply(FileStreams.ForTheWire(verdict)));
        });
    }

    /// <summary>
    /// Keeps an announced upload only when it was asked for (<see cref="AdmitUpload"/>) and fits (<see cref="PeerOptions.MaxFileSize"/>,
    /// free space, quota); returns the verdict to send back: for a store, an acknowledgement only once the write quorum holds it.
    /// </summary>
    /// <param name="begin">Opens the temporary file for the version the upload is kept at.</param>
    /// <param name="receive">Writes the content into it and commits it.</param>
    /// <param name="content">All of the file's bytes when they are here already (inline): a store's copies go to its holders from them while this
    /// peer writes its own, so the holders' writes overlap this one's instead of following it. Should this peer's write then fail, the holders'
    /// copies stay: the origin is told the store failed, and a retry (or the next pass) finds them held.</param>
    private async Task<Message> KeepUploadAsync(FileUpload upload, TransferHeader header, Func<FileVersion, Task<PartialFile>> begin, Func<PartialFile, Task> receive,
        CancellationToken cancellationToken, byte[]? content = null)
    {
        var from = upload.Sender.Id;
        var (refusal, version) = await Call(() => (AdmitUpload(upload, header), UploadVersion(upload)), cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
            return Refused(from, refusal, header.Name);
        var takingOver = upload.Purpose == UploadPurpose.TakeOver;
        var superseded = false;
        Task<(int Held, int Required)>? copies = null;
        try
        {
            if ((RefuseWithoutRoom(header, Files.Directory) ?? RefuseOverPartialBound(header) ?? RefuseOverStorageQuota(header)) is { } noRoom)
                return Refused(from, noRoom, header.Name);
            if (upload.Purpose == UploadPurpose.Store && content is not null)
            {
                var file = new StoredFile(header.Name, FileKey.Of(header.Name, Space), header.Length, header.Sha256) { Version = version };
                copies = ReplicateStoredAsync(holder => CopyContentToAsync(holder, file, content));
            }
            await using (var partial = await begin(version).ConfigureAwait(false))
            {
                await receive(partial).ConfigureAwait(false);
                superseded = partial.Superseded;
            }
        }
        catch (Exception e) when (e is IOException or ProtocolException or TimeoutException)
        {
            _context.Post(() => _context.Raise(DhtEventKind.FileTransferFailed, $"File {header.Name} from Peer {from} was not stored: {e.Message}", from));
            return Refuse(ErrorCode.Invalid, e.Message);
        }
        finally
        {
            if (takingOver)
                _context.Post(() => _takeOver?.Finished(_context.Time.GetUtcNow()));
        }
        if (upload.Purpose == UploadPurpose.Store)
            _context.Post(() => _acceptedStores.Remove(upload.RequestId!)); // kept, so that request id admits nothing more
        _context.Post(() => Observe(version));
        if (superseded && upload.Purpose != UploadPurpose.Store)
            return Refused(from, Refuse(ErrorCode.AlreadyStored, $"Peer {Self.Id} holds a newer version of {header.Name} than {version}."), header.Name);
        _context.Post(() => _context.Raise(KeptEvent(upload.Purpose), KeptText(upload.Purpose, header.Name, from), from));
        if (upload.Purpose == UploadPurpose.Replica)
            _context.Post(() => OnCopyArrived(header.Name));
        if (upload.Purpose is UploadPurpose.Store or UploadPurpose.Replica)
            _context.Post(() => NoteIfHeldForOthers(header.Name));
        if (upload.Purpose != UploadPurpose.Store)
            return Ack();
        // A store is acknowledged only once the write quorum holds the file.
        var (held, required) = await (copies ?? ReplicateStoredAsync(header.Name)).ConfigureAwait(false);
        return held >= required
            ? Ack() with { Copies = held, Version = version }
            : Refuse(ErrorCode.QuorumNotReached, QuorumShortfall(header.Name, held, required));
    }

    private static DhtEventKind KeptEvent(UploadPurpose purpose) => purpose switch
    {
        UploadPurpose.Store => DhtEventKind.FileStored,
        UploadPurpose.Replica => DhtEventKind.FileReplicaStored,
        _ => DhtEventKind.FileTakenOver,
    };

    private static string KeptText(UploadPurpose purpose, string name, ulong from) => purpose switch
    {
        UploadPurpose.Store => $"File {name} has been stored here",
        UploadPurpose.Replica => $"File {name} copied here from Peer {from}",
        _ => $"File {name} taken over from Peer {from}",
    };

    /// <summary>Says why an upload is not kept, here too; nothing of it has been written.</summary>
    private ErrorResponse Refused(ulong from, ErrorResponse refusal, string? name = null)
    {
        _context.Post(() => _context.Raise(DhtEventKind.FileRefused, $"{(name is null ? "A file" : $"File {name}")} from Peer {from} refused: {refusal.Reason}", from));
        return refusal;
    }
}
