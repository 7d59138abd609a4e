using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// What the <see cref="FileService"/> needs of the peer it runs in. <see cref="Post"/>, <see cref="Stopping"/>,
/// <see cref="RunInBackground"/>, <see cref="OpenStreamAsync"/> and the clock may be used from any thread (the transfers
/// run off the logical thread); everything else only on it, and every callback runs there too.
/// </summary>
internal interface IFileServiceContext
{
    PeerContact Self { get; }

    IdSpace Space { get; }

    TimeProvider Time { get; }

    IFileSystem FileSystem { get; }

    PeerStatus Status { get; }

    /// <summary>True once the peer was told to stop: work posted now may never run.</summary>
    bool Stopping { get; }

    /// <summary>How the peer's completion sources run their continuations (<see cref="IPeerScheduler.CompletionOptions"/>).</summary>
    TaskCreationOptions CompletionOptions { get; }

    /// <summary>Runs <paramref name="work"/> on the logical thread, after what is already queued.</summary>
    void Post(Action work);

    /// <summary>Runs a transfer off the logical thread.</summary>
    void RunInBackground(Func<Task> work);

    /// <summary>Sends a request; <paramref name="onReply"/> runs later on the logical thread with the checked answer.</summary>
    /// <param name="timeout">How long the answer may take; the request timeout when null.</param>
    void Ask(PeerContact to, Message request, Action<Reply> onReply, TimeSpan? timeout = null);

    /// <summary>Opens a file stream to <paramref name="to"/> with <paramref name="opening"/> as its first frame.</summary>
    Task<Stream> OpenStreamAsync(PeerContact to, Message opening, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="onDue"/> on the logical thread after <paramref name="due"/>, unless the timer is disposed first.</summary>
    ITimer StartTimer(TimeSpan due, Action onDue);

    void Raise(DhtEventKind kind, string message, ulong? remotePeerId = null);

    /// <summary>A request id from the router's one scheme; safe on any thread.</summary>
    string NewRequestId();

    /// <summary>Routes a store or fetch started here; <paramref name="onAnswer"/> gets the owner's answer, or null after <paramref name="timeout"/>.</summary>
    void StartRoute(RoutedRequest request, TimeSpan timeout, Action<RouteAnswer?> onAnswer);

    /// <summary>Nothing more is waited for under <paramref name="requestId"/>.</summary>
    void ForgetRoute(string requestId);

    /// <summary>An owner delivered a file and said it owns (<paramref name="ownedFrom"/>, owner]: the router's cache learns it.</summary>
    void LearnOwner(ulong ownedFrom, PeerContact owner);

    /// <summary>Answers the origin of a request that reached this peer as its owner.</summary>
    void AnswerRoute(RoutedRequest request, RouteOutcome outcome, string? reason, int? copies = null, FileVersion version = default, string? sha256 = null);

    /// <summary>Passes a request that reached this peer on to <paramref name="owner"/>, as the key's owner.</summary>
    void PassToOwner(RoutedRequest request, PeerContact owner);
}
