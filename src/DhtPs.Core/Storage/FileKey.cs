using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Storage;

/// <summary>The ring key of a file name (SPEC 7).</summary>
public static class FileKey
{
    /// <summary>
    /// A name whose stem is exactly four ASCII digits (0000..9999, with or without one extension, as the
    /// assignment's 2012.pdf) is the assignment's file number: its key is that number reduced to the id
    /// space (2012 and 2012.pdf -> 220 in an 8-bit ring). Any other safe name is hashed:
    /// SHA-256 of its UTF-8 bytes, the first 8 bytes of the digest read as a big-endian unsigned 64-bit
    /// integer, masked with <see cref="IdSpace.MaxId"/> (so its low <see cref="IdSpace.Bits"/> bits).
    /// </summary>
    /// <exception cref="UnsafeFileNameException">The name is not a safe file name.</exception>
    public static ulong Of(string name, IdSpace space)
    {
        FileName.EnsureSafe(name);
        if (IsFileNumber(name))
            return space.Reduce(ulong.Parse(name.AsSpan(0, 4), provider: System.Globalization.CultureInfo.InvariantCulture));
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), digest);
        return space.Reduce(BinaryPrimitives.ReadUInt64BigEndian(digest));
    }

    /// <summary>True when the name before its extension is exactly four ASCII digits, as the original assignment's files.</summary>
    public static bool IsFileNumber(string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        return stem.Length == 4 && stem.All(char.IsAsciiDigit) && name.StartsWith(stem, StringComparison.Ordinal);
    }
}
