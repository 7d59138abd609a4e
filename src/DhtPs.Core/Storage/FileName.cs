using System.Buffers;
using System.Text;

namespace DhtPs.Core.Storage;

/// <summary>
/// The names DhtPs accepts for stored files: one portable path segment, safe on Linux, macOS and Windows,
/// because a file stored by one peer may be handed to a peer on another system.
/// </summary>
public static class FileName
{
    public const int MaxUtf8Bytes = 255;

    /// <summary>Prefix of DhtPs's own temporary files; refused as a file name so a user's file is never taken for one.</summary>
    public const string ReservedPrefix = ".dhtps-";

    private static readonly SearchValues<char> WindowsInvalid = SearchValues.Create("<>:\"|?*");
    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>Throws <see cref="UnsafeFileNameException"/> with the reason when <paramref name="name"/> is not safe.</summary>
    public static void EnsureSafe(string? name)
    {
        if (UnsafeReason(name) is { } reason)
            throw new UnsafeFileNameException(name, reason);
    }

    public static bool IsSafe(string? name) => UnsafeReason(name) is null;

    /// <summary>Why a name is refused, or null when it is safe.</summary>
    public static string? UnsafeReason(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "it is empty";
        if (name is "." or "..")
            return "it names a directory";
        // Separators are refused outright, so ".." can never appear as a path segment of a longer name.
        if (name.AsSpan().IndexOfAny('/', '\\') >= 0)
            return "it contains a path separator";
        if (name.Any(char.IsControl))
            return "it contains a control character";
        if (name.AsSpan().IndexOfAny(WindowsInvalid) >= 0)
            return "it contains one of < > : \" | ? * (not allowed on Windows)";
        if (name[^1] is '.' or ' ')
            return "it ends with a dot or a space (Windows drops them)";
        if (DeviceNames.Contains(name.Split('.')[0].TrimEnd(' ')))
            return "it is a reserved Windows device name";
        if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
            return $"names starting with '{ReservedPrefix}' are reserved for temporary files";
        if (!IsWellFormed(name))
            return "it contains a lone UTF-16 surrogate (no UTF-8 form)";
        if (Encoding.UTF8.GetByteCount(name) > MaxUtf8Bytes)
            return $"it is longer than {MaxUtf8Bytes} UTF-8 bytes";
        return null;
    }

    private static bool IsWellFormed(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
                i++;
            else if (char.IsSurrogate(name[i]))
                return false;
        }
        return true;
    }
}
