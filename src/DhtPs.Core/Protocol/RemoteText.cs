using System.Text;

namespace DhtPs.Core.Protocol;

/// <summary>
/// Text that came from another peer (an error's reason, a file name in a refusal) before it reaches an event, an
/// error record or a terminal: control characters (escape sequences, newlines, bidirectional overrides) become
/// spaces and the length is bounded, so a remote peer cannot forge lines or repaint the user's console.
/// </summary>
public static partial class RemoteText
{
    public const int MaxLength = 1024;

    /// <summary>
    /// <paramref name="message"/> with the free text another peer put in it (reasons) cleaned; the same instance when
    /// there was nothing to clean. The ingest point applies it to everything it lets through.
    /// </summary>
    public static Message Clean(Message message) => message switch
    {
        ErrorResponse error when NeedsCleaning(error.Reason) => error with { Reason = Clean(error.Reason) },
        JoinRefused refused when NeedsCleaning(refused.Reason) => refused with { Reason = Clean(refused.Reason) },
        RouteAnswer { Reason: { } reason } answer when NeedsCleaning(reason) => answer with { Reason = Clean(reason) },
        _ => message,
    };

    private static bool NeedsCleaning(string? text) => text is not null && Clean(text) != text;

    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var clean = new StringBuilder(Math.Min(text.Length, MaxLength));
        foreach (var rune in text.EnumerateRunes())
        {
            if (clean.Length >= MaxLength)
            {
                clean.Append('…');
                break;
            }
            clean.Append(IsUnsafe(rune) ? " " : rune.ToString());
        }
        return clean.ToString();
    }

    /// <summary>
    /// Text about to go to another peer (an error's reason), with every absolute local path cut to its last segment:
    /// a failure of this peer's disk must not tell the other side where its data lives. Paths are recognised as a
    /// rooted run of non-space characters holding a separator (/srv/dhtps/peer-4/x, C:\data\x, \\server\share\x).
    /// </summary>
    public static string WithoutLocalPaths(string text) =>
        AbsolutePath().Replace(text, match =>
        {
            var path = match.Value.TrimEnd(PathEnd);
            var name = Path.GetFileName(path.Replace('\\', '/'));
            return (name.Length > 0 ? name : "<path>") + match.Value[path.Length..];
        });

    private static readonly char[] PathEnd = ['/', '\\', '\'', '"', '.', ',', ';', ':', ')'];

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\w.])(?:[A-Za-z]:[\\/]|\\\\|/)[^\s'""]*[\\/][^\s'""]*")]
    private static partial System.Text.RegularExpressions.Regex AbsolutePath();

    private static bool IsUnsafe(Rune rune) =>
        Rune.IsControl(rune)
        || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format // bidi overrides, zero-width joiners
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;
}
