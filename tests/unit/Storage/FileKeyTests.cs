using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Storage;

public sealed class FileKeyTests
{
    private static readonly IdSpace Ring8 = new(8);

    [Theory]
    [InlineData("2012", 220UL)]
    [InlineData("2067", 19UL)]
    [InlineData("4103", 7UL)]
    [InlineData("0000", 0UL)]
    [InlineData("9999", 9999UL % 256)]
    [InlineData("0255", 255UL)]
    [InlineData("0256", 0UL)]
    [InlineData("2012.pdf", 220UL)] // the assignment's files carry an extension
    [InlineData("4103.txt", 7UL)]
    public void A_four_digit_name_is_its_number_mod_2_to_the_m(string name, ulong key) =>
        Assert.Equal(key, FileKey.Of(name, Ring8));

    [Theory]
    [InlineData(16, "9999", 9999UL)]
    [InlineData(16, "2012", 2012UL)]
    [InlineData(64, "4103", 4103UL)]
    public void A_four_digit_name_in_a_wider_ring_keeps_its_number(int bits, string name, ulong key) =>
        Assert.Equal(key, FileKey.Of(name, new IdSpace(bits)));

    // Expected keys computed outside .NET: int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], 'big') mod 2^bits.
    [Theory]
    [InlineData("report.pdf", 8, 184UL)]
    [InlineData("report.pdf", 16, 30648UL)]
    [InlineData("report.pdf", 64, 7234720886373971896UL)]
    [InlineData("12345", 8, 42UL)]
    [InlineData("123", 8, 157UL)]
    [InlineData("123", 64, 11990170285644066717UL)]
    [InlineData("2012.tar.gz", 8, 203UL)]
    [InlineData("résumé.txt", 16, 60574UL)]
    public void Any_other_name_is_the_first_8_bytes_of_its_SHA256_reduced_to_m_bits(string name, int bits, ulong key) =>
        Assert.Equal(key, FileKey.Of(name, new IdSpace(bits)));

    [Theory]
    [InlineData("notes.txt", 8)]
    [InlineData("notes.txt", 16)]
    [InlineData("notes.txt", 64)]
    [InlineData("12345", 16)]
    [InlineData("123", 16)]
    [InlineData("２０１２", 8)] // full-width digits are not the assignment's file numbers
    public void The_hash_key_matches_an_independent_big_integer_computation(string name, int bits)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var prefix = new BigInteger(digest.AsSpan(0, 8), isUnsigned: true, isBigEndian: true);
        var expected = (ulong)(prefix % BigInteger.Pow(2, bits));
        Assert.Equal(expected, FileKey.Of(name, new IdSpace(bits)));
    }

    [Theory]
    [InlineData("2012", true)]
    [InlineData("0000", true)]
    [InlineData("12345", false)]
    [InlineData("123", false)]
    [InlineData("20a2", false)]
    [InlineData("2012.pdf", true)]
    [InlineData("2012.tar.gz", false)]
    [InlineData(".2012", false)]
    [InlineData("２０１２", false)]
    public void Only_exactly_four_ascii_digits_are_a_file_number(string name, bool isNumber) =>
        Assert.Equal(isNumber, FileKey.IsFileNumber(name));

    [Fact]
    public void An_unsafe_name_has_no_key() =>
        Assert.Throws<UnsafeFileNameException>(() => FileKey.Of("../2012", Ring8));
}
