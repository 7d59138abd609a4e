using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using DhtPs.Hosting;

namespace DhtPs.Completion;

/// <summary>
/// Completes the peers this session runs, for -Id, -Via and -KnownPeer: their ids first, then (where the parameter
/// takes a locator) id@host:port. Attached by attribute, so it stays on a parameter whose type changes.
/// </summary>
public class LocalPeerCompleter : IArgumentCompleter
{
    /// <summary>Also offer id@host:port, for parameters that take any peer of a ring (a string locator).</summary>
    protected virtual bool OffersEndPoints => false;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = Completions.Unquote(wordToComplete);
        var peers = PeerRegistry.All.Select(job => job.Peer.Snapshot).ToArray();
        var ids = peers
            .Where(peer => peer.Id.ToString().StartsWith(typed, StringComparison.Ordinal))
            .Select(peer => new CompletionResult(peer.Id.ToString(), peer.Id.ToString(), CompletionResultType.ParameterValue,
                $"Peer {peer.Id} at {peer.EndPoint} ({peer.State})"));
        if (!OffersEndPoints)
            return ids;
        var locators = peers
            .Select(peer => (peer, text: $"{peer.Id}@{peer.EndPoint}"))
            .Where(p => p.text.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(p => new CompletionResult(p.text, p.text, CompletionResultType.ParameterValue, $"Peer {p.peer.Id} ({p.peer.State})"));
        return ids.Concat(locators).ToArray();
    }
}

/// <summary><see cref="LocalPeerCompleter"/> for parameters that name any peer of a ring: ids, then id@host:port.</summary>
public sealed class PeerLocatorCompleter : LocalPeerCompleter
{
    protected override bool OffersEndPoints => true;
}
