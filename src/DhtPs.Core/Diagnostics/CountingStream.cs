using DhtPs.Core.Streams;

namespace DhtPs.Core.Diagnostics;

/// <summary>A file stream that reports the bytes read (in) and written (out) to <see cref="PeerMetrics"/>.</summary>
internal sealed class CountingStream(Stream inner, PeerMetrics metrics, string purpose) : WrappingStream(inner)
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
            metrics.Streamed(inbound: true, purpose, read);
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        metrics.Streamed(inbound: false, purpose, buffer.Length);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = Inner.Read(buffer, offset, count);
        if (read > 0)
            metrics.Streamed(inbound: true, purpose, read);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Inner.Write(buffer, offset, count);
        metrics.Streamed(inbound: false, purpose, count);
    }
}
