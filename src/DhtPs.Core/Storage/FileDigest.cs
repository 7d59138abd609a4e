using System.Security.Cryptography;

namespace DhtPs.Core.Storage;

/// <summary>SHA-256 digests of file content, written as 64 lowercase hex digits everywhere a person may see them.</summary>
public static class FileDigest
{
    public const int Length = SHA256.HashSizeInBytes;

    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    /// <summary>The 32 digest bytes of a hex string (either case).</summary>
    public static byte[] Parse(string sha256)
    {
        if (sha256 is not { Length: Length * 2 } || !sha256.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"A SHA-256 digest is {Length * 2} hex digits, got '{sha256}'.", nameof(sha256));
        return Convert.FromHexString(sha256);
    }
}
