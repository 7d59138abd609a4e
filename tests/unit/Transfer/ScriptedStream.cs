namespace DhtPs.Tests.Unit.Transfer;

/// <summary>One end of a connection whose other end is scripted: reads return the given bytes, writes are recorded.</summary>
internal sealed class ScriptedStream(byte[] incoming) : Stream
{
    private readonly MemoryStream _incoming = new(incoming, writable: false);

    public MemoryStream Written { get; } = new();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _incoming.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _incoming.ReadAsync(buffer, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => Written.WriteAsync(buffer, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
