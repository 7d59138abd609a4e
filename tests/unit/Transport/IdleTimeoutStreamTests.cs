using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Transport;
using DhtPs.Simulation;

namespace DhtPs.Tests.Unit.Transport;

/// <summary>The idle limit on real sockets: a silent side ends a read, a side that keeps sending never does.</summary>
public sealed class IdleTimeoutStreamTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(200);

    private static async Task<(TcpClient Client, TcpClient Server)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        var accepting = listener.AcceptTcpClientAsync();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        return (client, await accepting);
    }

    // The idle limit runs on a simulated clock: the test decides when time passes, so CPU load cannot fake a stall.

    [Fact]
    public async Task A_read_with_no_bytes_coming_fails_with_a_timeout_once_the_idle_limit_passes()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            var clock = new SimulatedTimeProvider();
            await using var limited = new IdleTimeoutStream(server.GetStream(), Idle, clock);
            var reading = limited.ReadAsync(new byte[16]).AsTask();
            clock.RunFor(Idle - TimeSpan.FromTicks(1));
            Assert.False(reading.IsCompleted, "the read ended before the idle limit");
            clock.RunFor(TimeSpan.FromTicks(1));
            var error = await Assert.ThrowsAsync<TimeoutException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Contains("stalled", error.Message);
        }
    }

    [Fact]
    public async Task Bytes_that_keep_coming_within_the_limit_are_read_however_long_the_whole_takes()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            var clock = new SimulatedTimeProvider();
            await using var limited = new IdleTimeoutStream(server.GetStream(), Idle, clock);
            for (var i = 0; i < 6; i++)
            {
                var buffer = new byte[1];
                var reading = limited.ReadAsync(buffer).AsTask();
                clock.RunFor(Idle * 0.9);
                await client.GetStream().WriteAsync(new byte[] { (byte)i });
                Assert.Equal(1, await reading.WaitAsync(TimeSpan.FromSeconds(10)));
                Assert.Equal(i, buffer[0]);
            }
            Assert.True(clock.Elapsed > Idle * 5, "the whole took several idle limits");
        }
    }

    [Fact]
    public async Task The_callers_own_cancellation_stays_a_cancellation()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            await using var limited = new IdleTimeoutStream(server.GetStream(), TimeSpan.FromMinutes(1), TimeProvider.System);
            using var cancel = new CancellationTokenSource(Idle);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limited.ReadAsync(new byte[16], cancel.Token).AsTask());
        }
    }
}
