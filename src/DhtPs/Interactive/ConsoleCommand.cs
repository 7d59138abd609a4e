namespace DhtPs.Interactive;

public enum ConsoleCommandKind
{
    /// <summary>A blank line: nothing to do.</summary>
    Empty,
    Store,
    Request,
    Ring,
    Help,
    Quit,
    /// <summary>Anything else; <see cref="ConsoleCommand.Argument"/> holds the one-line hint to print.</summary>
    Unknown,
}

/// <summary>One line typed at the peer console (the original program's commands, case-insensitive, plus Ring and Help).</summary>
public sealed record ConsoleCommand(ConsoleCommandKind Kind, string Argument = "")
{
    public static ConsoleCommand Parse(string? line)
    {
        var text = line?.Trim() ?? "";
        if (text.Length == 0)
            return new(ConsoleCommandKind.Empty);
        var space = text.IndexOfAny([' ', '\t']);
        var verb = space < 0 ? text : text[..space];
        var argument = space < 0 ? "" : text[(space + 1)..].Trim();
        var kind = verb.ToLowerInvariant() switch
        {
            "store" => ConsoleCommandKind.Store,
            "request" => ConsoleCommandKind.Request,
            "ring" => ConsoleCommandKind.Ring,
            "help" => ConsoleCommandKind.Help,
            "quit" => ConsoleCommandKind.Quit,
            _ => ConsoleCommandKind.Unknown,
        };
        return kind switch
        {
            ConsoleCommandKind.Unknown => Hint($"Unknown command '{text}'."),
            ConsoleCommandKind.Store or ConsoleCommandKind.Request when argument.Length == 0 =>
                Hint($"{Capitalized(kind)} needs a file name, e.g. {Capitalized(kind)} 2067."),
            ConsoleCommandKind.Store or ConsoleCommandKind.Request => new(kind, argument),
            _ when argument.Length > 0 => Hint($"{Capitalized(kind)} takes no argument."),
            _ => new(kind),
        };
    }

    private static ConsoleCommand Hint(string problem) =>
        new(ConsoleCommandKind.Unknown, $"{problem} Commands: Store <name>, Request <name>, Ring, Help, Quit.");

    private static string Capitalized(ConsoleCommandKind kind) => kind.ToString();
}
