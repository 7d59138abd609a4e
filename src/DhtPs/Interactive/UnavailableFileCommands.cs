using DhtPs.Core.Peer;

namespace DhtPs.Interactive;

/// <summary>This build's peers cannot store or fetch files yet: say so instead of pretending.</summary>
public sealed class UnavailableFileCommands : IConsoleFileCommands
{
    public static UnavailableFileCommands Instance { get; } = new();

    public Task<IReadOnlyList<string>> StoreAsync(PeerNode peer, string name, string directory, CancellationToken cancellationToken) =>
        Unavailable("Store", name);

    public Task<IReadOnlyList<string>> RequestAsync(PeerNode peer, string name, string directory, CancellationToken cancellationToken) =>
        Unavailable("Request", name);

    private static Task<IReadOnlyList<string>> Unavailable(string command, string name) =>
        Task.FromResult<IReadOnlyList<string>>([$"{command} {name}: Store and Request are not available in this build; nothing was sent."]);
}
