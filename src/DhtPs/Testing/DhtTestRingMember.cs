using DhtPs.Hosting;

namespace DhtPs.Testing;

/// <summary>One peer of a test ring: where it listens, where it keeps its files, and whether it runs now.</summary>
public sealed class DhtTestRingMember
{
    private PeerProcess? _process;

    internal DhtTestRingMember(ulong id, int port, string dataPath, string? logPath)
    {
        Id = id;
        Port = port;
        DataPath = dataPath;
        LogPath = logPath;
    }

    public ulong Id { get; }

    public int Port { get; }

    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>id@host:port, as -Via, -KnownPeer and -FirstSuccessor take it.</summary>
    public string Contact => $"{Id}@{EndPoint}";

    /// <summary>The contact again, so a member piped to Get-DhtRing, Test-DhtRing or Wait-DhtRing binds -Via to it rather than its bare Id.</summary>
    public string Via => Contact;

    /// <summary>The folder the peer keeps its files in; it survives a kill and a restart, not Remove-DhtTestRing.</summary>
    public string DataPath { get; }

    /// <summary>The peer process's output and errors (-Process rings only).</summary>
    public string? LogPath { get; }

    /// <summary>The id of the pwsh process the peer runs in (-Process rings only; null while it is not running).</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    public bool IsRunning => LogPath is null
        ? PeerRegistry.TryGet(Id, out var job) && job.Peer.Contact.Port == Port
        : _process is { HasExited: false };

    internal PeerProcess? Process
    {
        get => _process;
        set
        {
            _process?.Dispose();
            _process = value;
        }
    }

    public override string ToString() => Contact;
}
