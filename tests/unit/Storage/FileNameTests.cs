using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Storage;

public sealed class FileNameTests
{
    public static TheoryData<string?> UnsafeNames => new()
    {
        null, "", ".", "..",
        "a/b", "../etc/passwd", "..\\x", "dir\\file", "/abs", "C:\\x", "c:x",
        "a\0b", "line\nbreak", "tab\t", "bell\u0007", "del\u007f", "c1\u0085",
        "trailing.", "trailing ", "...",
        "CON", "con", "Con.txt", "PRN", "AUX.log", "NUL", "nul.tar.gz", "COM1", "com9.txt", "LPT1", "lpt3.doc", "COM¹", "CON .txt",
        "what?", "star*", "pipe|", "quote\"", "less<", "more>",
        new string('a', 256), new string('é', 128), // 256 UTF-8 bytes
        ".dhtps-0123456789abcdef.partial", ".dhtps-anything",
    };

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public void Unsafe_names_are_refused_with_a_reason(string? name)
    {
        var error = Assert.Throws<UnsafeFileNameException>(() => FileName.EnsureSafe(name));
        Assert.Equal(name, error.FileName);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        Assert.Contains(error.Reason, error.Message);
        Assert.False(FileName.IsSafe(name));
    }

    [Theory]
    [InlineData("2012")]
    [InlineData("2012.pdf")]
    [InlineData("report final (v2).pdf")]
    [InlineData(".hidden")]
    [InlineData("a..b")]
    [InlineData("..hidden")]
    [InlineData("résumé.txt")]
    [InlineData("CONSOLE.txt")]
    [InlineData("COM10")]
    [InlineData("emoji 😀.png")]
    public void Ordinary_names_are_safe(string name)
    {
        FileName.EnsureSafe(name);
        Assert.True(FileName.IsSafe(name));
    }

    [Fact]
    public void A_lone_surrogate_is_refused_because_it_has_no_utf8_form() // not in the theory: xunit rewrites it to U+FFFD
    {
        Assert.False(FileName.IsSafe("lone\uD800surrogate"));
        Assert.False(FileName.IsSafe("end\uDC00"));
        Assert.True(FileName.IsSafe("pair\uD83D\uDE00"));
    }

    [Fact]
    public void A_name_of_exactly_255_utf8_bytes_is_safe() =>
        Assert.True(FileName.IsSafe(new string('a', 253) + "é"));
}
