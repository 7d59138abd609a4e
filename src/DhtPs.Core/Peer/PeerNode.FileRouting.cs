using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer;

/// <summary>
/// SPEC §7-§9: store and file requests travel along first successors to the closest successor of their key,
/// the first peer p with the key in (predecessor, p]; its answer goes straight back to the origin.
/// </summary>
public sealed partial class PeerNode
{
    /// <summary>More forwards than this and a request is going round in circles (a ring in repair): it is given up.</summary>
    private const int MaxFileHops = 1024;

    /// <summary>File requests this peer started and is waiting on, by request id. Touched only on the logical thread.</summary>
    private readonly Dictionary<string, PendingFileRequest> _pendingFileRequests = new(StringComparer.Ordinal);

    private Lazy<FileStore> _files = null!;

    /// <summary>The files this peer holds; the data directory is created on first use.</summary>
    public FileStore Files => _files.Value;

    /// <summary>The directory of <see cref="Files"/>.</summary>
    public string DataPath { get; private set; } = "";

    /// <summary>True when this peer may hold files (its store is open or its data directory exists), without creating the directory.</summary>
    private bool MayHoldFiles => _files.IsValueCreated || _environment.FileSystem.DirectoryExists(DataPath);

    private void OpenFileStore(int port)
    {
        DataPath = Path.GetFullPath(_options.DataPath ?? PeerOptions.DefaultDataPath(Id, port));
        _files = new Lazy<FileStore>(() => new FileStore(DataPath, Space, _environment.FileSystem));
    }

    /// <summary>True when this peer holds the keys that reach it: its own range, or a request its predecessor sent as to the owner.</summary>
    private bool Owns(ulong key, bool toOwner)
    {
        if (toOwner || _successors.Count == 0 || key == Id)
            return true;
        return CurrentPredecessors().FirstOrDefault() is { } predecessor && Space.InHalfOpen(key, predecessor.Id, Id);
    }

    /// <summary>Starts a request from this peer and waits for the owner's answer (a delivery counts as one for a fetch).</summary>
    private async Task<FileRouteAnswer?> RouteFromHereAsync(RoutedFileRequest request, PendingFileRequest pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Call(() =>
        {
            if (_status is not PeerStatus.Running)
                throw new DhtFileException(DhtFileFailure.NotRunning, $"Peer {Id} is {_status}; it takes no file requests.", Id);
            _pendingFileRequests.Add(request.RequestId, pending);
            RouteFileRequest(request);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            return await pending.Answered.Task.WaitAsync(timeout, Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DhtFileException(DhtFileFailure.TimedOut,
                $"No answer to the request for {request.Name} (key {request.Key}) within {timeout.TotalSeconds:0.###} s.", Id);
        }
    }

    private Message HandleRoutedFileRequest(RoutedFileRequest request)
    {
        if (_status is not PeerStatus.Running)
            return Refuse(ErrorCode.NotRunning, $"Peer {Id} is {_status} and takes no file requests.");
        RouteFileRequest(request);
        return Ack();
    }

    private void RouteFileRequest(RoutedFileRequest request)
    {
        if (Owns(request.Key, request.ToOwner))
        {
            ServeAsOwner(request);
            return;
        }
        if (request.Hops >= MaxFileHops)
        {
            AnswerOrigin(request, FileRouteOutcome.Unroutable, $"the request was forwarded {request.Hops} times without reaching the owner of key {request.Key}");
            return;
        }
        var successor = _successors[0].Contact;
        PassOn(request, successor, toOwner: Space.InHalfOpen(request.Key, Id, successor.Id));
    }

    /// <summary>Forwards a request to <paramref name="successor"/>; <paramref name="toOwner"/> tells it to take the request as the owner.</summary>
    private void PassOn(RoutedFileRequest request, PeerContact successor, bool toOwner)
    {
        var entering = request.Origin.Id == Id && request.Hops == 0;
        switch (request)
        {
            case StoreRequest:
                Raise(DhtEventKind.StoreRequestForwarded, $"Store {request.Name} request forwarded to my successor", successor.Id);
                break;
            case FileRequest when entering:
                Raise(DhtEventKind.FileRequestSent, $"File request for {request.Name} has been sent to my successor", successor.Id);
                break;
            case FileRequest:
                Raise(DhtEventKind.FileRequestPassedOn, $"Request for File {request.Name} has been received, but the file is not stored here", successor.Id);
                break;
        }
        var forwarded = request with { Sender = Contact, Hops = request.Hops + 1, ToOwner = toOwner };
        Ask(successor, forwarded, reply =>
        {
            if (reply.Message is not Acknowledgement)
                AnswerOrigin(request, FileRouteOutcome.Unroutable, $"Peer {Id} could not pass the request on to Peer {successor.Id}: " +
                    (reply.Failure?.Message ?? (reply.Message as ErrorResponse)?.Reason ?? "unexpected answer"));
        });
    }

    private void ServeAsOwner(RoutedFileRequest request)
    {
        switch (request)
        {
            case StoreRequest:
                Raise(DhtEventKind.StoreRequestAccepted, $"Store {request.Name} request accepted", request.Origin.Id);
                if (request.Origin.Id != Id)
                    RecordAcceptedStore(request);
                AnswerOrigin(request, FileRouteOutcome.StoreAccepted, reason: null);
                break;
            case FileRequest fetch when Files.Exists(fetch.Name):
                Raise(DhtEventKind.FileStoredHere, $"File {fetch.Name} is stored here", fetch.Origin.Id);
                _scheduler.RunInBackground(() => DeliverAsync(fetch));
                break;
            case FileRequest fetch when TakingOverFrom() is { } successor:
                // The file may still be on its way from the successor that held it until this peer joined: it still serves it.
                PassOn(fetch, successor, toOwner: true);
                break;
            case FileRequest fetch:
                Raise(DhtEventKind.FileMissing, $"File {fetch.Name} should be stored here, but is not", fetch.Origin.Id);
                AnswerOrigin(fetch, FileRouteOutcome.NotStored, $"Peer {Id} owns key {fetch.Key} but holds no file {fetch.Name}.");
                break;
        }
    }

    /// <summary>Tells the origin how its request ended; at the origin itself, completes the waiting caller directly.</summary>
    private void AnswerOrigin(RoutedFileRequest request, FileRouteOutcome outcome, string? reason)
    {
        var answer = new FileRouteAnswer { Sender = Contact, IdBits = Space.Bits, RequestId = request.RequestId, Outcome = outcome, Hops = request.Hops, Reason = reason };
        if (request.Origin.Id == Id)
            HandleFileRouteAnswer(answer);
        else
            Ask(request.Origin, answer, _ => { });
    }

    private Acknowledgement HandleFileRouteAnswer(FileRouteAnswer answer)
    {
        if (_pendingFileRequests.TryGetValue(answer.RequestId, out var pending))
            pending.Answered.TrySetResult(answer);
        return Ack();
    }

    /// <summary>Runs <paramref name="work"/> on the logical thread and returns its result (or its exception).</summary>
    private Task<T> Call<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var result = new TaskCompletionSource<T>(_scheduler.CompletionOptions);
        if (Volatile.Read(ref _stopRequested) == 1)
            result.SetException(new DhtFileException(DhtFileFailure.NotRunning, $"Peer {Id} has stopped.", Id));
        else
            Run(() =>
            {
                try
                {
                    result.TrySetResult(work());
                }
                catch (Exception e)
                {
                    result.TrySetException(e);
                }
            });
        // A peer stopped meanwhile drops the work: the caller's cancellation still ends the wait.
        return result.Task.WaitAsync(cancellationToken);
    }

    private static string NewRequestId() => Guid.NewGuid().ToString("N");
}
