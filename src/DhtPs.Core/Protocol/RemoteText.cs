using System.Text;

namespace DhtPs.Core.Protocol;

/// <summary>
/// Text that came from another peer (an error's reason, a file name in a refusal) before it reaches an event, an
/// error record or a terminal: control characters (escape sequences, newlines, bidirectional overrides) become
/// spaces and the length is bounded, so a remote peer cannot forge lines or repaint the user's console.
/// </summary>
public static class RemoteText
{
    public const int MaxLength = 1024;

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

    private static bool IsUnsafe(Rune rune) =>
        Rune.IsControl(rune)
        || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format // bidi overrides, zero-width joiners
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;
}
