namespace DhtPs.Core.Protocol.Authentication;

/// <summary>
/// Which authenticated datagrams were already seen, per sender epoch: the highest counter and a 64-wide bitmap below it,
/// as in IPsec and WireGuard. A counter seen before, or more than <see cref="Width"/> below the highest, is a replay.
/// At most <see cref="MaxEpochs"/> epochs are remembered (the least recently heard is forgotten); only datagrams that
/// authenticated ever get here, so strangers cannot fill it. Thread-safe.
/// </summary>
internal sealed class ReplayWindow
{
    public const int Width = 64;
    public const int MaxEpochs = 4096;

    private readonly Dictionary<ulong, LinkedListNode<Entry>> _epochs = [];
    private readonly LinkedList<Entry> _byRecency = new();
    private readonly Lock _gate = new();

    private sealed class Entry(ulong epoch)
    {
        public ulong Epoch { get; } = epoch;
        public ulong Highest { get; set; }
        public ulong Seen { get; set; }
    }

    /// <summary>True, and the counter is remembered, when <paramref name="counter"/> of <paramref name="epoch"/> is new.</summary>
    public bool TryAccept(ulong epoch, ulong counter)
    {
        lock (_gate)
        {
            if (!_epochs.TryGetValue(epoch, out var node))
            {
                if (_epochs.Count == MaxEpochs)
                {
                    _epochs.Remove(_byRecency.Last!.Value.Epoch);
                    _byRecency.RemoveLast();
                }
                node = _byRecency.AddFirst(new Entry(epoch) { Highest = counter, Seen = 1 });
                _epochs.Add(epoch, node);
                return true;
            }
            _byRecency.Remove(node);
            _byRecency.AddFirst(node);
            var entry = node.Value;
            if (counter > entry.Highest)
            {
                var shift = counter - entry.Highest;
                entry.Seen = shift >= Width ? 1 : (entry.Seen << (int)shift) | 1;
                entry.Highest = counter;
                return true;
            }
            var behind = entry.Highest - counter;
            if (behind >= Width || (entry.Seen & (1UL << (int)behind)) != 0)
                return false;
            entry.Seen |= 1UL << (int)behind;
            return true;
        }
    }
}
