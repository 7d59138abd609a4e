using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace DhtPs.Core.Protocol.Authentication;

/// <summary>
/// The keys a ring secret gives, derived once with HKDF-SHA256 (RFC 5869): extract with a fixed, versioned salt, then
/// one expansion per use, so the datagram key and the stream key are independent. The secret itself is not kept.
/// </summary>
public sealed class RingSecret
{
    /// <summary>16 bytes: a random secret of that size cannot be guessed; HKDF does no stretching, so a short passphrase could be.</summary>
    public const int MinLength = 16;

    private static readonly byte[] Salt = "DhtPs ring secret v1"u8.ToArray();

    private RingSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < MinLength)
            throw new ArgumentException($"A ring secret needs at least {MinLength} bytes; this one has {secret.Length}. Use a random one, e.g. 32 random bytes in Base64.", nameof(secret));
        Span<byte> prk = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, secret, Salt, prk);
        DatagramKey = Expand(prk, "dhtps datagram v1");
        StreamKey = Expand(prk, "dhtps stream v1");
        Fingerprint = Convert.ToHexStringLower(Expand(prk, "dhtps fingerprint v1").AsSpan(0, 4));
        CryptographicOperations.ZeroMemory(prk);
    }

    /// <summary>Authenticates every datagram (with a per-sender epoch and counter).</summary>
    internal byte[] DatagramKey { get; }

    /// <summary>Keys each stream connection's handshake and its per-connection record keys.</summary>
    internal byte[] StreamKey { get; }

    /// <summary>Eight hex digits naming the secret without revealing it, so two peers can compare theirs.</summary>
    public string Fingerprint { get; }

    public static RingSecret FromBytes(ReadOnlySpan<byte> secret) => new(secret);

    /// <summary>The UTF-8 bytes of <paramref name="secret"/>; the plain copy is zeroed at once.</summary>
    public static RingSecret FromSecureString(SecureString secret)
    {
        var unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secret);
        var chars = new char[secret.Length];
        var utf8 = new byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        try
        {
            Marshal.Copy(unmanaged, chars, 0, chars.Length);
            var length = Encoding.UTF8.GetBytes(chars, utf8);
            return new RingSecret(utf8.AsSpan(0, length));
        }
        finally
        {
            Array.Clear(chars);
            CryptographicOperations.ZeroMemory(utf8);
            Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
        }
    }

    /// <summary>The bytes of a file, without a final line break (a secret written with an editor or Set-Content).</summary>
    public static RingSecret FromFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            var length = bytes.Length;
            while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r')
                length--;
            return new RingSecret(bytes.AsSpan(0, length));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static byte[] Expand(ReadOnlySpan<byte> prk, string info)
    {
        var key = new byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, key, Encoding.ASCII.GetBytes(info));
        return key;
    }
}
