using System.Management.Automation;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>
/// What Test-DhtRing and Wait-DhtRing share: where the walk starts, as Get-DhtRing takes it. (Get-DhtRing keeps its own copy
/// while -Via becomes an address on every cmdlet; it can derive from this class afterwards.)
/// </summary>
public abstract class RingWalkCmdlet : DhtCmdlet
{
    /// <summary>Where the walk starts: the id of a peer of this session, or any peer as id, host:port or id@host:port. Default: this session's first peer.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string? Via { get; set; }

    /// <summary>The ring's id width, for a walk from a session that runs no peer.</summary>
    [Parameter]
    [ValidateRange(1, IdSpace.MaxBits)]
    public int IdBits { get; set; } = IdSpace.DefaultBits;

    /// <summary>How the walk's start is shown in reports: -Via as given, or the local peer it defaulted to.</summary>
    protected string WalkStart => Via ?? (PeerRegistry.All.FirstOrDefault() is { } first ? first.Peer.Id.ToString() : "");

    /// <summary>
    /// The walk -Via names, each member answering within <paramref name="timeout"/>; null after writing an error
    /// when -Via names nothing a walk can start at.
    /// </summary>
    protected Func<CancellationToken, Task<RingWalk>>? RingWalkFromVia(TimeSpan timeout)
    {
        if (StartPeer() is { } start)
            return token => start.WalkRingAsync(timeout: timeout, cancellationToken: token);
        if (Via is null)
        {
            WriteError(Error(new InvalidOperationException("This session runs no peer; name a peer of the ring with -Via."),
                "DhtRingStartUnknown", ErrorCategory.InvalidArgument, null));
            return null;
        }
        if (!PeerLocator.TryParse(Via, out var locator, out var problem))
        {
            WriteError(Error(new ArgumentException(problem, nameof(Via)), "InvalidDhtRingStart", ErrorCategory.InvalidArgument, Via));
            return null;
        }
        // Any local peer can ask; with none, a throwaway socket does.
        var asker = PeerRegistry.All.FirstOrDefault()?.Peer;
        var space = new IdSpace(IdBits);
        return asker is null
            ? token => RingWalker.WalkFromOutsideAsync(locator.EndPoint, space, timeout, cancellationToken: token)
            : token => asker.WalkRingAsync(locator.EndPoint, timeout, token);
    }

    /// <summary>The local peer the walk starts at: the one -Via names by id, or the first one when -Via is absent.</summary>
    private PeerNode? StartPeer()
    {
        if (Via is null)
            return PeerRegistry.All.FirstOrDefault()?.Peer;
        return ulong.TryParse(Via, out var id) && PeerRegistry.TryGet(id, out var job) ? job.Peer : null;
    }
}
