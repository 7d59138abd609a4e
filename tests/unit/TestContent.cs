using System.Security.Cryptography;

namespace DhtPs.Tests.Unit;

/// <summary>Reproducible file content for tests, and the SHA-256 a transfer announces for it.</summary>
internal static class TestContent
{
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new System.Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Lowercase hex, as <see cref="DhtPs.Core.Transfer.TransferHeader"/> carries it.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
