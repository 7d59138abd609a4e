using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// SPEC §10, stores and requests that stay correct while a peer joins: a newcomer N between P and S owns the keys in
/// (P, N] that S held until now, so once accepted it asks S for those files and S uploads them, deleting each copy
/// once N confirms it. Until they are all in, N passes a request for a file it lacks on to S instead of saying it is missing.
/// </summary>
internal sealed partial class FileService
{
    /// <summary>The take-over this peer asked for when it joined; null when none is under way.</summary>
    private TakeOverProgress? _takeOver;

    /// <summary>A take-over asked again once the successor has heard this peer ping it (see <see cref="RequestTakeOver"/>).</summary>
    private ITimer? _takeOverRetry;

    /// <summary>
    /// At the newcomer, just accepted with <paramref name="predecessor"/> before it: asks its first successor for its files.
    /// The successor hands them over only to a peer it can confirm as its new first predecessor; back on the ring without a
    /// join, the peer before this one may not name it yet, so a refusal is asked again after a ping round and a half, when
    /// this peer's own ping has told the successor, up to <see cref="TakeOverRetries"/> times (under heavy loss the peer
    /// before may take several rounds to take this one back: seed 23 at 64 peers).
    /// </summary>
    public void RequestTakeOver(PeerContact predecessor) => RequestTakeOver(predecessor, TakeOverRetries);

    /// <summary>How often a refused take-over is asked again while the successor stays the same.</summary>
    private const int TakeOverRetries = 3;

    private void RequestTakeOver(PeerContact predecessor, int retriesLeft)
    {
        if (_neighborhood.FirstSuccessor is not { } successor || successor.Id == Self.Id)
            return;
        _takeOverRetry?.Dispose();
        var progress = new TakeOverProgress(successor, predecessor.Id, _context.Time.GetUtcNow());
        _takeOver = progress; // Before the offer arrives: the first upload may overtake it.
        _context.Ask(successor, new TakeOverRequest { Sender = Self, IdBits = Space.Bits, Predecessor = predecessor }, reply =>
        {
            if (_takeOver != progress)
                return;
            if (reply.Message is TakeOverOffer offer)
            {
                progress.Offered(offer.Files, _context.Time.GetUtcNow());
                return;
            }
            if (retriesLeft > 0 && reply.Message is ErrorResponse { Code: ErrorCode.Invalid })
            {
                _takeOverRetry = _context.Time.CreateTimer(_ => _context.Post(() =>
                {
                    if (_takeOver == progress && _neighborhood.FirstSuccessor?.Id == successor.Id)
                        RequestTakeOver(predecessor, retriesLeft - 1);
                }), null, _options.PingInterval * 1.5, Timeout.InfiniteTimeSpan);
                return;
            }
            _takeOver = null;
            _context.Raise(DhtEventKind.FileTransferFailed, $"Peer {successor.Id} hands over no files: " +
                (reply.Failure?.Message ?? (reply.Message as ErrorResponse)?.Reason ?? "unexpected answer"), successor.Id);
        });
    }

    /// <summary>
    /// Back on the ring without a join (after a partition or a false death), this peer may own keys whose files were stored
    /// at its new first <paramref name="successor"/> while the ring skipped it: it asks for them as a newcomer would,
    /// unless <paramref name="answer"/> (the successor's) names a first predecessor after this peer, whose keys those are.
    /// The range starts at the nearer of this peer's first predecessor and the successor's.
    /// </summary>
    public void TakeOverAfterRelink(PeerContact successor, NeighborsResponse answer)
    {
        if (_neighborhood.FirstSuccessor?.Id != successor.Id || successor.Id == Self.Id || TakingOverFrom() is not null)
            return;
        var theirs = answer.Predecessors.FirstOrDefault() is { } first && first.Id != Self.Id ? first : null;
        if (theirs is not null && Space.InOpen(theirs.Id, Self.Id, successor.Id))
            return;
        var ours = _neighborhood.FirstPredecessor;
        var nearest = ours is null ? theirs : theirs is null || !Space.InOpen(theirs.Id, ours.Id, Self.Id) ? ours : theirs;
        if (nearest is not null)
            RequestTakeOver(nearest);
    }

    /// <summary>
    /// At the successor: offers the newcomer the files whose keys it now owns, and uploads them off the logical thread —
    /// once it is sure the sender is its new first predecessor (issue 17: a forged take-over would steal every file
    /// before the sender's id). Its pings say so, or the old first predecessor, asked at the contact this peer knows,
    /// names it, at the contact it gave, as the first successor it accepted.
    /// </summary>
    /// <param name="reply">Called once on the logical thread: at once, or after the old first predecessor answered.</param>
    public void HandleTakeOverRequest(TakeOverRequest request, Action<Message> reply)
    {
        if (RefuseTakeOver(request) is { } refused)
        {
            reply(refused);
            return;
        }
        var newcomer = request.Sender;
        if (_neighborhood.FirstPredecessor is not { } first || first == newcomer)
        {
            reply(OfferTakeOver(request));
            return;
        }
        _context.Ask(first, new NeighborsRequest { Sender = Self, IdBits = Space.Bits }, answer =>
        {
            var accepted = answer.Message is NeighborsResponse neighbors && neighbors.Successors.FirstOrDefault() == newcomer;
            if (RefuseTakeOver(request) is { } refusal)
                reply(refusal);
            else if (accepted)
                reply(OfferTakeOver(request));
            else
                reply(Refuse(ErrorCode.Invalid,
                    $"Peer {first.Id} does not name Peer {newcomer.Id} at {newcomer.EndPoint} as its first successor: none of Peer {Self.Id}'s files are handed over."));
        });
    }

    private ErrorResponse? RefuseTakeOver(TakeOverRequest request)
    {
        if (_context.Status is not PeerStatus.Running)
            return Refuse(ErrorCode.NotRunning, $"Peer {Self.Id} is {_context.Status} and hands over no files.");
        var newcomer = request.Sender;
        if (_neighborhood.FirstPredecessor is { } first && first.Id != newcomer.Id && !Space.InOpen(newcomer.Id, first.Id, Self.Id))
            return Refuse(ErrorCode.Invalid, $"Peer {newcomer.Id} does not lie between Peer {first.Id} and Peer {Self.Id}: none of Peer {Self.Id}'s keys are its.");
        return null;
    }

    private TakeOverOffer OfferTakeOver(TakeOverRequest request)
    {
        var newcomer = request.Sender;
        // The newcomer is this peer's first predecessor from now on, as its first ping would say a round later: a store of its
        // keys arriving meanwhile is no longer served here, after the offer has been counted (seed 928 at 64 peers).
        _neighborhood.HeardPing(1, newcomer, _context.Time.GetUtcNow());
        string[] names = MayHoldFiles
            ? [.. Files.Names().Where(name => IsNowOwnedBy(FileKey.Of(name, Space), newcomer.Id, request.Predecessor.Id))]
            : [];
        if (names.Length > 0)
            _context.RunInBackground(() => HandOffAsync(newcomer, names, UploadPurpose.TakeOver));
        return new TakeOverOffer { Sender = Self, IdBits = Space.Bits, Files = names.Length };
    }

    /// <summary>A key in (the newcomer's predecessor, the newcomer], and never one of this peer's own range (newcomer, this].</summary>
    private bool IsNowOwnedBy(ulong key, ulong newcomer, ulong newcomersPredecessor) =>
        Space.InHalfOpen(key, newcomersPredecessor, newcomer) && !Space.InHalfOpen(key, newcomer, Self.Id);

    /// <summary>The successor a take-over still brings files from, if one is pending.</summary>
    private PeerContact? TakingOverFrom() =>
        _takeOver is { } progress && progress.Pending(_context.Time.GetUtcNow(), _options.TransferIdleTimeout) ? progress.From : null;
}
