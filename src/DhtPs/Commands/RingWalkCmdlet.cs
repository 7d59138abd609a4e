using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Client;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Hosting;

namespace DhtPs.Commands;

/// <summary>
/// What Get-DhtRing, Test-DhtRing and Wait-DhtRing share: where the walk starts — a PeerAddress resolved by
/// <see cref="DhtCmdlet.RingEntry"/>, so a ring elsewhere is walked from outside with no local peer.
/// </summary>
public abstract class RingWalkCmdlet : RingClientCmdlet
{
    /// <summary>Where the walk starts: a peer of this session (its id), or any peer as host:port or id@host:port. Default: this session's first peer.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(PeerLocatorCompleter))]
    public PeerAddress? Via { get; set; }

    /// <summary>The ring's id width, for a walk from outside; a member of another width says so, and the walk follows it.</summary>
    [Parameter]
    [ValidateRange(1, IdSpace.MaxBits)]
    public int IdBits { get; set; } = IdSpace.DefaultBits;

    /// <summary>How the walk's start is shown in reports: -Via as given, or the local peer it defaulted to.</summary>
    protected string WalkStart => Via?.ToString() ?? (PeerRegistry.All.FirstOrDefault() is { } first ? first.Peer.Id.ToString() : "");

    /// <summary>
    /// The walk -Via names, each member answering within <paramref name="timeout"/>; null after writing an error
    /// when -Via names nothing a walk can start at.
    /// </summary>
    protected Func<CancellationToken, Task<RingWalk>>? RingWalkFromVia(TimeSpan timeout) =>
        RingEntryFromVia() is { } start ? token => start.WalkRingAsync(timeout, token) : null;

    /// <summary>Where a walk (and the questions after it) starts: the entry -Via names, or this session's first peer; null after writing an error.</summary>
    protected IRingEntry? RingEntryFromVia()
    {
        IRingEntry? start;
        if (Via is not null)
            start = ClientRingEntry(Via, IdBits);
        else if (PeerRegistry.All.FirstOrDefault() is { } first)
            start = new LocalRingEntry(first.Peer);
        else
        {
            WriteError(Error(new InvalidOperationException("This session runs no peer; name a peer of the ring with -Via."),
                "DhtRingStartUnknown", ErrorCategory.InvalidArgument, null));
            return null;
        }
        return start;
    }
}
