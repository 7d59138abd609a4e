namespace DhtPs.Tests.Unit.Transfer;

/// <summary>
/// Wraps a sender's end of a connection: counts the bytes written to the wire and, past
/// <paramref name="cutAfter"/> bytes, closes the connection as a lost link would.
/// </summary>
internal sealed class MeteredStream(Stream inner, long cutAfter = long.MaxValue) : Stream
{
    public long BytesWritten { get; private set; }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var allowed = (int)Math.Min(buffer.Length, cutAfter - BytesWritten);
        await inner.WriteAsync(buffer[..allowed], cancellationToken);
        BytesWritten += allowed;
        if (allowed < buffer.Length)
        {
            await inner.FlushAsync(cancellationToken);
            inner.Dispose();
            throw new IOException($"Connection cut after {BytesWritten} bytes.");
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
