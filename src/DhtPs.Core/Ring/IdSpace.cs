namespace DhtPs.Core.Ring;

/// <summary>
/// The circular identifier space [0, 2^Bits). All interval arithmetic is done on
/// clockwise distances, so wrapping past the top needs no special cases.
/// </summary>
public readonly record struct IdSpace
{
    public const int DefaultBits = 8;
    public const int MaxBits = 64;

    public IdSpace(int bits)
    {
        if (bits is < 1 or > MaxBits)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"Id bits must be between 1 and {MaxBits}.");
        Bits = bits;
    }

    public int Bits { get; }

    /// <summary>The largest id; also the mask that reduces a number mod 2^Bits.</summary>
    public ulong MaxId => Bits == MaxBits ? ulong.MaxValue : (1UL << Bits) - 1;

    public bool Contains(ulong id) => id <= MaxId;

    public ulong Reduce(ulong value) => value & MaxId;

    /// <summary>Steps clockwise from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public ulong Distance(ulong from, ulong to) => (to - from) & MaxId;

    /// <summary>True when x lies in (from, to]. (a, a] is the whole ring.</summary>
    public bool InHalfOpen(ulong x, ulong from, ulong to)
    {
        var span = Distance(from, to);
        var offset = Distance(from, x);
        return span == 0 || (offset != 0 && offset <= span);
    }

    /// <summary>True when x lies in (from, to). (a, a) is the ring without a.</summary>
    public bool InOpen(ulong x, ulong from, ulong to)
    {
        var span = Distance(from, to);
        var offset = Distance(from, x);
        return offset != 0 && (span == 0 || offset < span);
    }

    /// <summary>The member that owns <paramref name="key"/>: the smallest id at or after it, wrapping.</summary>
    public ulong SuccessorOf(ulong key, IEnumerable<ulong> members)
    {
        ulong? best = null;
        var bestDistance = ulong.MaxValue;
        foreach (var member in members)
        {
            var distance = Distance(key, member);
            if (best is null || distance < bestDistance)
            {
                best = member;
                bestDistance = distance;
            }
        }
        return best ?? throw new InvalidOperationException("The ring has no members.");
    }

    public override string ToString() => $"{Bits}-bit ring";
}
