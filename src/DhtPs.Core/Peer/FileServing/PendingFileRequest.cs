using DhtPs.Core.Protocol;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>A store or fetch this peer started, waiting for the owner: its answer, and for a fetch the file itself.</summary>
/// <param name="completionOptions">The peer's <see cref="IPeerScheduler.CompletionOptions"/>.</param>
internal sealed class PendingFileRequest(string name, string? destination, IProgress<TransferProgress>? progress, CancellationToken cancellationToken,
    TaskCreationOptions completionOptions)
{
    public string Name { get; } = name;

    /// <summary>Where a fetch writes the file; null for a store.</summary>
    public string? Destination { get; } = destination;

    public IProgress<TransferProgress>? Progress { get; } = progress;

    /// <summary>The caller's cancellation, which also ends a delivery in progress.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The owner's answer; null when the owner has started delivering the file.</summary>
    public TaskCompletionSource<RouteAnswer?> Answered { get; } = new(completionOptions);

    /// <summary>A fetch's result, once the delivered copy is in place.</summary>
    public TaskCompletionSource<DhtFileInfo> Received { get; } = new(completionOptions);

    /// <summary>For a fetch with copies: another holder's answer to a <see cref="DigestRequest"/> (null: none came), which the delivered copy must agree with.</summary>
    public Task<RouteAnswer?>? SecondOpinion { get; init; }
}
