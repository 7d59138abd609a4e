using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.Faults;

/// <summary>
/// The sending side of a faulty transport: datagrams sent may be lost or late, and a connect may never happen (the
/// caller waits out its timeout and gets the <see cref="TransportException"/> an unreachable peer gives) or start late.
/// </summary>
internal sealed class FaultInjectingTransport(IPeerTransport inner, FaultInjectingNetwork network, FaultDice dice, DelayedActions delays)
    : IPeerTransport
{
    private readonly FaultInjection _faults = network.Faults;
    private readonly CancellationTokenSource _stopping = new();

    public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

    public void SendDatagram(IPEndPoint to, uint sequence, Message message)
    {
        if (_faults.Blocks(to))
        {
            network.SentDropped();
            return;
        }
        if (!_faults.DatagramDirection.HasFlag(FaultDirection.Send))
        {
            inner.SendDatagram(to, sequence, message);
            return;
        }
        if (dice.Strikes(FaultDice.Kind.SendLoss, _faults.DatagramLossRate))
        {
            network.SentDropped();
            return;
        }
        if (_faults.DatagramDelay > TimeSpan.Zero && dice.Strikes(FaultDice.Kind.SendDelay, _faults.DatagramDelayRate))
        {
            network.SentDelayed();
            delays.After(_faults.DatagramDelay, () => inner.SendDatagram(to, sequence, message));
            return;
        }
        inner.SendDatagram(to, sequence, message);
    }

    public async Task<Message> RequestAsync(IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var left = await ConnectFaultAsync(to, timeout, cancellationToken).ConfigureAwait(false);
        return await inner.RequestAsync(to, request, left, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream> OpenStreamAsync(IPEndPoint to, Message opening, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var left = await ConnectFaultAsync(to, connectTimeout, cancellationToken).ConfigureAwait(false);
        return await inner.OpenStreamAsync(to, opening, left, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What is left of <paramref name="timeout"/> once the connect's fault, if any, has struck.</summary>
    private async Task<TimeSpan> ConnectFaultAsync(IPEndPoint to, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_faults.Blocks(to) || dice.Strikes(FaultDice.Kind.ConnectLoss, _faults.ConnectLossRate))
        {
            network.ConnectDropped();
            await WaitAsync(to, timeout, timeout, cancellationToken).ConfigureAwait(false);
            throw Unanswered(to, timeout);
        }
        if (_faults.ConnectDelay <= TimeSpan.Zero || !dice.Strikes(FaultDice.Kind.ConnectDelay, _faults.ConnectDelayRate))
            return timeout;
        network.ConnectDelayed();
        if (_faults.ConnectDelay >= timeout)
        {
            await WaitAsync(to, timeout, timeout, cancellationToken).ConfigureAwait(false);
            throw Unanswered(to, timeout);
        }
        await WaitAsync(to, _faults.ConnectDelay, timeout, cancellationToken).ConfigureAwait(false);
        return timeout - _faults.ConnectDelay;
    }

    /// <summary>Waits <paramref name="delay"/>; a transport disposed meanwhile fails the exchange as the socket transport does.</summary>
    private async Task WaitAsync(IPEndPoint to, TimeSpan delay, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            await Task.Delay(delay, network.Time, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unanswered(to, timeout);
        }
    }

    /// <summary>The socket transport's own words for a peer that did not answer in time, marked as injected.</summary>
    private static TransportException Unanswered(IPEndPoint to, TimeSpan timeout) =>
        new(to, $"Peer at {to} did not answer within {timeout.TotalSeconds:0.###} s (fault injected).");

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        delays.Dispose();
        await inner.DisposeAsync().ConfigureAwait(false);
    }
}
