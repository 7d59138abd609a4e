using System.Globalization;

namespace DhtPs.Bench;

/// <summary>Sizes as people write them: 1GiB, 512MiB, 64KiB, or plain bytes.</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Units = [("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("B", 1)];

    public static long Parse(string text)
    {
        foreach (var (suffix, factor) in Units)
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                return long.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
        return long.Parse(text, CultureInfo.InvariantCulture);
    }

    public static string Format(double bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (1L << 10):0.0} KiB",
        _ => $"{bytes:0} B",
    };
}
