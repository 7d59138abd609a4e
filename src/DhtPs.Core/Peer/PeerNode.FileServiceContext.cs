using DhtPs.Core.Peer.FileServing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer;

/// <summary>The peer as the <see cref="FileService"/>'s context.</summary>
public sealed partial class PeerNode : IFileServiceContext
{
    PeerContact IFileServiceContext.Self => Contact;

    IdSpace IFileServiceContext.Space => Space;

    TimeProvider IFileServiceContext.Time => Time;

    IFileSystem IFileServiceContext.FileSystem => _environment.FileSystem;

    PeerStatus IFileServiceContext.Status => _status;

    bool IFileServiceContext.Stopping => Volatile.Read(ref _stopRequested) == 1;

    TaskCreationOptions IFileServiceContext.CompletionOptions => _scheduler.CompletionOptions;

    void IFileServiceContext.Post(Action work) => Run(work);

    void IFileServiceContext.RunInBackground(Func<Task> work) => _scheduler.RunInBackground(work);

    void IFileServiceContext.Ask(PeerContact to, Message request, Action<Reply> onReply, TimeSpan? timeout) => Ask(to, request, onReply, timeout);

    Task<Stream> IFileServiceContext.OpenStreamAsync(PeerContact to, Message opening, CancellationToken cancellationToken) =>
        _transport.OpenStreamAsync(to.ToEndPoint(), opening, _options.RequestTimeout, cancellationToken);

    ITimer IFileServiceContext.StartTimer(TimeSpan due, Action onDue) =>
        Time.CreateTimer(_ => Run(onDue), null, due, Timeout.InfiniteTimeSpan);

    void IFileServiceContext.Raise(DhtEventKind kind, string message, ulong? remotePeerId) => Raise(kind, message, remotePeerId);

    string IFileServiceContext.NewRequestId() => _router.NewRequestId();

    void IFileServiceContext.StartRoute(RoutedRequest request, TimeSpan timeout, Action<RouteAnswer?> onAnswer) => _router.Start(request, timeout, onAnswer);

    void IFileServiceContext.ForgetRoute(string requestId) => _router.Forget(requestId);

    void IFileServiceContext.LearnOwner(ulong ownedFrom, PeerContact owner) => _router.LearnOwner(ownedFrom, owner);

    void IFileServiceContext.AnswerRoute(RoutedRequest request, RouteOutcome outcome, string? reason, int? copies, FileVersion version, string? sha256) =>
        _router.Answer(request, outcome, reason, copies, version, sha256);

    void IFileServiceContext.PassToOwner(RoutedRequest request, PeerContact owner) => _router.PassTo(request, owner, toOwner: true);
}
