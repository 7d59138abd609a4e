namespace DhtPs.Core.Peer;

/// <summary>
/// One copy of each event text a peer raises over and over (the ping events: the same few lines every round), so the
/// events a host keeps (a job holds a thousand per peer) share their strings instead of holding a thousand copies each:
/// 1,000 peers in one process kept 100 MiB of identical ping lines (issue 12). Bounded: a ring's churn only costs a
/// refill. Used on the logical thread only.
/// </summary>
internal sealed class RepeatedTexts(int capacity = 64)
{
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);

    public string Share(string text)
    {
        if (_texts.TryGetValue(text, out var shared))
            return shared;
        if (_texts.Count >= capacity)
            _texts.Clear();
        _texts.Add(text, text);
        return text;
    }
}
