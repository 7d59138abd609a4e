namespace DhtPs.Completion;

/// <summary>Quoting shared by the completers: what the user typed may be quoted, and what is offered must parse back.</summary>
internal static class Completions
{
    private static readonly char[] Special = [' ', '\t', '\'', '"', '`', '$', ';', ',', '(', ')', '{', '}', '[', ']', '@', '#', '&', '|', '<', '>'];

    public static string Unquote(string? word) => (word ?? "").Trim('\'', '"');

    /// <summary>The text in single quotes when PowerShell would otherwise read it as something else.</summary>
    public static string Quote(string text) =>
        text.IndexOfAny(Special) < 0 && !text.StartsWith('-') ? text : "'" + text.Replace("'", "''") + "'";
}
