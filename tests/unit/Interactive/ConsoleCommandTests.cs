using DhtPs.Interactive;

namespace DhtPs.Tests.Unit.Interactive;

public sealed class ConsoleCommandTests
{
    [Theory]
    [InlineData("Store 2067", ConsoleCommandKind.Store, "2067")]
    [InlineData("  store   report.pdf ", ConsoleCommandKind.Store, "report.pdf")]
    [InlineData("REQUEST 4103", ConsoleCommandKind.Request, "4103")]
    [InlineData("Quit", ConsoleCommandKind.Quit, "")]
    [InlineData("quit", ConsoleCommandKind.Quit, "")]
    [InlineData("Ring", ConsoleCommandKind.Ring, "")]
    [InlineData("help", ConsoleCommandKind.Help, "")]
    [InlineData("", ConsoleCommandKind.Empty, "")]
    [InlineData("   ", ConsoleCommandKind.Empty, "")]
    public void Parses_the_original_commands_case_insensitively(string line, ConsoleCommandKind kind, string argument)
    {
        Assert.Equal(new ConsoleCommand(kind, argument), ConsoleCommand.Parse(line));
    }

    [Theory]
    [InlineData("Fetch 2067", "Unknown command 'Fetch 2067'.")]
    [InlineData("Store", "Store needs a file name, e.g. Store 2067.")]
    [InlineData("request  ", "Request needs a file name, e.g. Request 2067.")]
    [InlineData("Quit now", "Quit takes no argument.")]
    public void Anything_else_is_a_one_line_hint_naming_the_commands(string line, string problem)
    {
        var command = ConsoleCommand.Parse(line);
        Assert.Equal(ConsoleCommandKind.Unknown, command.Kind);
        Assert.Equal($"{problem} Commands: Store <name>, Request <name>, Ring, Help, Quit.", command.Argument);
        Assert.DoesNotContain('\n', command.Argument);
    }
}
