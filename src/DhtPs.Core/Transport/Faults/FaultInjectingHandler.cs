using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.Faults;

/// <summary>The receiving side of a faulty transport: datagrams that passed the ingest point may still be lost or late.</summary>
internal sealed class FaultInjectingHandler(ITransportHandler inner, FaultInjectingNetwork network, FaultDice dice, DelayedActions delays)
    : ITransportHandler
{
    private readonly FaultInjection _faults = network.Faults;

    public Ring.IdSpace Space => inner.Space;

    public void OnDatagram(IPEndPoint from, uint sequence, Message message)
    {
        if (!_faults.DatagramDirection.HasFlag(FaultDirection.Receive))
        {
            inner.OnDatagram(from, sequence, message);
            return;
        }
        if (dice.Strikes(FaultDice.Kind.ReceiveLoss, _faults.DatagramLossRate))
        {
            network.ReceivedDropped();
            return;
        }
        if (_faults.DatagramDelay > TimeSpan.Zero && dice.Strikes(FaultDice.Kind.ReceiveDelay, _faults.DatagramDelayRate))
        {
            network.ReceivedDelayed();
            delays.After(_faults.DatagramDelay, () => inner.OnDatagram(from, sequence, message));
            return;
        }
        inner.OnDatagram(from, sequence, message);
    }

    public Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken) =>
        inner.OnRequestAsync(from, request, cancellationToken);

    public Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken) =>
        inner.OnStreamAsync(from, opening, stream, cancellationToken);

    public Message? OnRefused(IPEndPoint from, InputRefusal refusal) => inner.OnRefused(from, refusal);
}
