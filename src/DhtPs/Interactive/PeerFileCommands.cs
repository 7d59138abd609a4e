using DhtPs.Commands;
using DhtPs.Core.Peer;
using DhtPs.Core.Storage;

namespace DhtPs.Interactive;

/// <summary>
/// The console's Store and Request: the peer's own store and fetch, as Save-DhtFile and Get-DhtFile use them.
/// Success prints nothing of its own (the peer's events tell the story, as in the original); failures print one line.
/// </summary>
public sealed class PeerFileCommands : IConsoleFileCommands
{
    private static readonly TimeSpan OwnerTimeout = TimeSpan.FromSeconds(30);

    public static PeerFileCommands Instance { get; } = new();

    public async Task<IReadOnlyList<string>> StoreAsync(PeerNode peer, string name, string directory, CancellationToken cancellationToken)
    {
        try
        {
            await peer.StoreAsync(Path.Combine(directory, name), name, progress: null, OwnerTimeout, cancellationToken).ConfigureAwait(false);
            return [];
        }
        catch (FileNotFoundException)
        {
            return ["File does not exist"];
        }
        catch (Exception e) when (e is DhtFileException or UnsafeFileNameException or IOException)
        {
            return [$"Store {name} failed: {e.Message}"];
        }
    }

    public async Task<IReadOnlyList<string>> RequestAsync(PeerNode peer, string name, string directory, CancellationToken cancellationToken)
    {
        try
        {
            var destination = Path.Combine(directory, GetDhtFileCommand.ReceivedPrefix + name);
            await peer.FetchAsync(name, destination, progress: null, OwnerTimeout, cancellationToken).ConfigureAwait(false);
            return [];
        }
        catch (Exception e) when (e is DhtFileException or UnsafeFileNameException or IOException)
        {
            return [$"Request {name} failed: {e.Message}"];
        }
    }
}
