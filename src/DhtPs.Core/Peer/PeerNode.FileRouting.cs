using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer;

/// <summary>
/// SPEC §7-§9: stores and file requests are routed by the <see cref="Routing.Router"/> to the owner of their key, the
/// first peer p with the key in (predecessor, p]; its answer goes straight back to the origin.
/// </summary>
public sealed partial class PeerNode
{
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

    /// <summary>True when this peer's own range, (first predecessor, this peer], holds <paramref name="key"/> (a lone peer holds every key).</summary>
    private bool Owns(ulong key)
    {
        if (_neighborhood.Count == 0 || key == Id)
            return true;
        return _neighborhood.FirstPredecessor is { } predecessor && Space.InHalfOpen(key, predecessor.Id, Id);
    }

    /// <summary>Starts a request from this peer and waits for the owner's answer (a delivery counts as one for a fetch: null).</summary>
    private async Task<RouteAnswer?> RouteFromHereAsync(RoutedFileRequest request, PendingFileRequest pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Call(() =>
        {
            if (_status is not PeerStatus.Running)
                throw new DhtFileException(DhtFileFailure.NotRunning, $"Peer {Id} is {_status}; it takes no file requests.", Id);
            _pendingFileRequests.Add(request.RequestId, pending);
            _router.Start(request, timeout, answer =>
            {
                if (answer is not null)
                    pending.Answered.TrySetResult(answer);
                else
                    pending.Answered.TrySetException(new DhtFileException(DhtFileFailure.TimedOut,
                        $"No answer to the request for {request.Name} (key {request.Key}) within {timeout.TotalSeconds:0.###} s.", Id));
            });
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return await pending.Answered.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A store or fetch has ended at the origin: nothing more is waited for under its request id.</summary>
    private void EndFileRequest(string requestId)
    {
        _pendingFileRequests.Remove(requestId);
        _router.Forget(requestId);
    }

    private void ServeAsOwner(RoutedFileRequest request)
    {
        switch (request)
        {
            case StoreRequest:
                Raise(DhtEventKind.StoreRequestAccepted, $"Store {request.Name} request accepted", request.Origin.Id);
                if (request.Origin.Id != Id)
                    RecordAcceptedStore(request);
                _router.Answer(request, RouteOutcome.StoreAccepted, reason: null);
                break;
            case FileRequest fetch when Files.Exists(fetch.Name):
                Raise(DhtEventKind.FileStoredHere, $"File {fetch.Name} is stored here", fetch.Origin.Id);
                _scheduler.RunInBackground(() => DeliverAsync(fetch));
                break;
            case FileRequest fetch when TakingOverFrom() is { } successor:
                // The file may still be on its way from the successor that held it until this peer joined: it still serves it.
                _router.PassTo(fetch, successor, toOwner: true);
                break;
            case FileRequest fetch:
                Raise(DhtEventKind.FileMissing, $"File {fetch.Name} should be stored here, but is not", fetch.Origin.Id);
                _router.Answer(fetch, RouteOutcome.NotStored, $"Peer {Id} owns key {fetch.Key} but holds no file {fetch.Name}.");
                break;
        }
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
}
