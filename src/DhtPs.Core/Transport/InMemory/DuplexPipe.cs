using System.Threading.Channels;

namespace DhtPs.Core.Transport.InMemory;

/// <summary>
/// Two connected in-memory streams: what one end writes, the other reads, in order; disposing an end
/// ends the other's reading side (a clean end of stream), as closing a TCP connection does.
/// Writes are copied and queued without a bound, which suits the small exchanges of a simulation.
/// </summary>
internal static class DuplexPipe
{
    public static (Stream Client, Stream Server) Create()
    {
        // Synchronous continuations: a reader waiting for bytes resumes inside the write that brings them, so a
        // simulation that runs everything on one thread never sees a read complete on the thread pool.
        var options = new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true };
        var toServer = Channel.CreateUnbounded<byte[]>(options);
        var toClient = Channel.CreateUnbounded<byte[]>(options);
        return (new End(incoming: toClient.Reader, outgoing: toServer.Writer), new End(incoming: toServer.Reader, outgoing: toClient.Writer));
    }

    private sealed class End(ChannelReader<byte[]> incoming, ChannelWriter<byte[]> outgoing) : Stream
    {
        private ReadOnlyMemory<byte> _pending;

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
                return 0;
            while (_pending.IsEmpty)
            {
                if (!await incoming.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    return 0;
                incoming.TryRead(out var chunk);
                _pending = chunk;
            }
            var count = Math.Min(buffer.Length, _pending.Length);
            _pending[..count].CopyTo(buffer);
            _pending = _pending[count..];
            return count;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        /// <summary>Writing never waits: the channel is unbounded, so the bytes are queued at once.</summary>
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!buffer.IsEmpty && !outgoing.TryWrite(buffer.ToArray()))
                throw new IOException("The other end of the in-memory stream has been closed.");
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Reading may have to wait for the other end; blocking a thread on that (sync over async) could stall a
        // simulation that runs everything on one thread. Transfers are asynchronous end to end.
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                outgoing.TryComplete();
            base.Dispose(disposing);
        }
    }
}
