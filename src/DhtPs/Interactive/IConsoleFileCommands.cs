using DhtPs.Core.Peer;

namespace DhtPs.Interactive;

/// <summary>
/// What the console's Store and Request commands do. Files are read from, and received into,
/// <c>directory</c> (the session's current directory, as the original program used its own).
/// Each returns the lines to print besides the events the peer raises meanwhile; it returns once the operation is over.
/// </summary>
public interface IConsoleFileCommands
{
    Task<IReadOnlyList<string>> StoreAsync(PeerNode peer, string name, string directory, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> RequestAsync(PeerNode peer, string name, string directory, CancellationToken cancellationToken);
}
