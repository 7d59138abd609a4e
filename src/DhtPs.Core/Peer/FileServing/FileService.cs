using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// The peer's files (SPEC §7-§10): stores and fetches started here, routed through the router to the owner of their key
/// (the first peer p with the key in (predecessor, p]), served at the owner, the uploads it admits, the take-over a
/// newcomer asks for and the hand-off of a departing peer, and the <see cref="FileStore"/> that keeps them.
/// <para>
/// Owns: the <see cref="FileStore"/>, the stores and fetches this peer waits on, the stores it accepted as owner, the
/// take-over under way. Those tables are touched only on the logical thread; the bytes move off it (uploads,
/// deliveries, hand-offs run in the background or on the transport's stream tasks) and post their results back.
/// The FileStore is the one object used on both sides, and is built for it (see <see cref="FileStore"/>): the logical
/// thread only asks it whether a name is stored and which names are, and every read, write, hash and delete runs off it.
/// </para>
/// </summary>
internal sealed partial class FileService
{
    private readonly IFileServiceContext _context;
    private readonly Neighborhood _neighborhood;
    private readonly PeerOptions _options;

    public FileService(IFileServiceContext context, Neighborhood neighborhood, PeerOptions options)
    {
        _context = context;
        _neighborhood = neighborhood;
        _options = options;
        _neighborhood.Changed += OnNeighborhoodChanged;
        _neighborhood.Changed += ScheduleReturn; // A predecessor heard again may be the owner of a file kept for it.
        _neighborhood.SuccessorDeclaredDead += AbandonDeadHolder;
    }

    private PeerContact Self => _context.Self;

    private IdSpace Space => _context.Space;

    /// <summary>File requests this peer started and is waiting on, by request id. Touched only on the logical thread.</summary>
    private readonly Dictionary<string, PendingFileRequest> _pendingFileRequests = new(StringComparer.Ordinal);

    private Lazy<FileStore> _files = null!;

    /// <summary>The files this peer holds; the data directory is created on first use.</summary>
    public FileStore Files => _files.Value;

    /// <summary>The directory of <see cref="Files"/>.</summary>
    public string DataPath { get; private set; } = "";

    /// <summary>True when this peer may hold files (its store is open or its data directory exists), without creating the directory.</summary>
    private bool MayHoldFiles => _files.IsValueCreated || _context.FileSystem.DirectoryExists(DataPath);

    /// <summary>Names the data directory once the peer's port is known (its default path holds the port); the store opens on first use.</summary>
    public void OpenStore(int port)
    {
        DataPath = Path.GetFullPath(_options.DataPath ?? PeerOptions.DefaultDataPath(Self.Id, port));
        _files = new Lazy<FileStore>(() => new FileStore(DataPath, Space, _context.FileSystem));
    }

    /// <summary>True when this peer's own range, (first predecessor, this peer], holds <paramref name="key"/> (a lone peer holds every key).</summary>
    private bool Owns(ulong key)
    {
        if (_neighborhood.Count == 0 || key == Self.Id)
            return true;
        return _neighborhood.FirstPredecessor is { } predecessor && Space.InHalfOpen(key, predecessor.Id, Self.Id);
    }

    /// <summary>Starts a request from this peer and waits for the owner's answer (a delivery counts as one for a fetch: null).</summary>
    private async Task<RouteAnswer?> RouteFromHereAsync(RoutedFileRequest request, PendingFileRequest pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Call(() =>
        {
            if (_context.Status is not PeerStatus.Running)
                throw new DhtFileException(DhtFileFailure.NotRunning, $"Peer {Self.Id} is {_context.Status}; it takes no file requests.", Self.Id);
            _pendingFileRequests.Add(request.RequestId, pending);
            _context.StartRoute(request, timeout, answer =>
            {
                if (answer is not null)
                    pending.Answered.TrySetResult(answer);
                else
                    pending.Answered.TrySetException(new DhtFileException(DhtFileFailure.TimedOut,
                        $"No answer to the request for {request.Name} (key {request.Key}) within {timeout.TotalSeconds:0.###} s.", Self.Id));
            });
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return await pending.Answered.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A store or fetch has ended at the origin: nothing more is waited for under its request id.</summary>
    private void EndFileRequest(string requestId)
    {
        _pendingFileRequests.Remove(requestId);
        _context.ForgetRoute(requestId);
    }

    public void ServeAsOwner(RoutedFileRequest request)
    {
        switch (request)
        {
            case StoreRequest:
                _context.Raise(DhtEventKind.StoreRequestAccepted, $"Store {request.Name} request accepted", request.Origin.Id);
                RecordAcceptedStore(request);
                _context.AnswerRoute(request, RouteOutcome.StoreAccepted, reason: null);
                break;
            case RemoveRequest remove:
                RemoveAsOwner(remove);
                break;
            case DigestRequest digest when digest.SkipCopies > 0 && NextCopyHolder(digest.ReplicaHops, digest.Origin) is { } holder:
                _context.PassToOwner(digest with { SkipCopies = digest.SkipCopies - 1, ReplicaHops = digest.ReplicaHops + 1 }, holder);
                break;
            case DigestRequest digest when Files.Find(digest.Name) is { } record:
                _context.AnswerRoute(digest, RouteOutcome.Recorded, record.IsTombstone ? $"File {digest.Name} was removed at Peer {Self.Id}." : null,
                    version: record.Version, sha256: record.IsTombstone ? null : record.Sha256);
                break;
            case DigestRequest digest:
                _context.AnswerRoute(digest, RouteOutcome.NotStored, $"Peer {Self.Id} holds no copy of {digest.Name}.");
                break;
            case FetchRequest fetch when Files.Find(fetch.Name) is { IsTombstone: true } removed:
                // Removed: no older copy further along may answer for it.
                _context.Raise(DhtEventKind.FileMissing, $"File {fetch.Name} was removed (version {removed.Version})", fetch.Origin.Id);
                _context.AnswerRoute(fetch, RouteOutcome.NotStored, $"File {fetch.Name} was removed at Peer {Self.Id} (version {removed.Version}).");
                break;
            case FetchRequest fetch when fetch.SkipCopies == 0 && Files.Exists(fetch.Name):
                _context.Raise(DhtEventKind.FileStoredHere, $"File {fetch.Name} is stored here", fetch.Origin.Id);
                // Read here, on the logical thread; a copy served past the owner (replicaHops) names no range: the key is not this peer's.
                var ownedFrom = fetch.ReplicaHops == 0 ? _neighborhood.FirstPredecessor?.Id : null;
                _context.RunInBackground(() => DeliverAsync(fetch, ownedFrom));
                break;
            case FetchRequest fetch when TakingOverFrom() is { } successor:
                // The file may still be on its way from the successor that held it until this peer joined: it still serves it.
                _context.PassToOwner(fetch, successor);
                break;
            case FetchRequest fetch when NextCopyHolder(fetch.ReplicaHops, fetch.Origin) is { } holder:
                // The next holder has a copy (this one lacks it, or the origin asks past a copy that failed its digest).
                _context.PassToOwner(fetch with { SkipCopies = Math.Max(0, fetch.SkipCopies - 1), ReplicaHops = fetch.ReplicaHops + 1 }, holder);
                break;
            case FetchRequest fetch:
                _context.Raise(DhtEventKind.FileMissing, $"File {fetch.Name} should be stored here, but is not", fetch.Origin.Id);
                _context.AnswerRoute(fetch, RouteOutcome.NotStored, $"Peer {Self.Id} owns key {fetch.Key} but holds no file {fetch.Name}.");
                break;
        }
    }

    /// <summary>The next holder of a copy, while a request passed on <paramref name="replicaHops"/> times has not yet passed every one of the r - 1 after the owner.</summary>
    private PeerContact? NextCopyHolder(int replicaHops, PeerContact origin) =>
        replicaHops < _options.ReplicationFactor - 1 && _neighborhood.FirstLiveSuccessor is { } next && next.Id != Self.Id && next.Id != origin.Id
            ? next
            : null;

    /// <summary>Runs <paramref name="work"/> on the logical thread and returns its result (or its exception).</summary>
    private Task<T> Call<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var result = new TaskCompletionSource<T>(_context.CompletionOptions);
        if (_context.Stopping)
            result.SetException(new DhtFileException(DhtFileFailure.NotRunning, $"Peer {Self.Id} has stopped.", Self.Id));
        else
            _context.Post(() =>
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

    /// <summary>A file stream that gives up when no byte moves within <see cref="PeerOptions.TransferIdleTimeout"/>.</summary>
    private Stream IdleLimited(Stream stream) => FileStreams.IdleLimited(stream, _options.TransferIdleTimeout, _context.Time);

    private Acknowledgement Ack() => new() { Sender = Self, IdBits = Space.Bits };

    private ErrorResponse Refuse(ErrorCode code, string reason) => new() { Sender = Self, IdBits = Space.Bits, Code = code, Reason = reason };
}
