using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// SWIM's indirect probes (docs/protocol.md 3.5), both sides: as the asker, a suspect is pinged through up to
/// <see cref="PeerOptions.IndirectProbes"/> helpers (live predecessors, fingers and other successors, never the suspect),
/// each asked with a <see cref="IndirectPingRequest"/> under a sequence number of its own; as a helper, a
/// <see cref="IndirectPingRequest"/> is carried out with an indirect ping and its answer relayed back under the asker's
/// sequence number, or a nack sent once a probe period has passed without one.
/// </summary>
internal sealed partial class FailureDetector
{
    /// <summary>At most this many indirect probes are carried out for others at once; further requests are dropped.</summary>
    public const int MaxRelays = 64;

    private readonly Dictionary<uint, Relay> _relays = [];

    /// <summary>An indirect ping sent as a helper: whom it is for, under which of their sequence numbers, and the nack's timer.</summary>
    private sealed record Relay(IPEndPoint Asker, uint AskerSequence, PeerContact Target, ITimer NackTimer);

    /// <summary>How many indirect probes this peer is carrying out for others right now.</summary>
    public int RelaysUnderWay => _relays.Count;

    /// <summary>
    /// The helpers for a probe of <paramref name="target"/>: the first <see cref="PeerOptions.IndirectProbes"/> distinct
    /// peers of <see cref="IFailureDetectorContext.ProbeHelpers"/> other than this peer and the target.
    /// </summary>
    private IReadOnlyList<PeerContact> HelpersFor(ProbeTarget target) =>
        _options.IndirectProbes <= 0
            ? []
            : [.. _context.ProbeHelpers
                .Where(helper => helper.Id != target.Contact.Id && helper.Id != _context.Self.Id)
                .DistinctBy(helper => helper.Id)
                .Take(_options.IndirectProbes)];

    /// <summary>
    /// At a suspect's first miss: asks the helpers to ping it, and waits two of its (backed-off) ping timeouts for them —
    /// their ping to it and the two legs to and from them. A relayed answer proves it alive; a nack confirms the
    /// suspicion; a helper that sends neither makes this peer's own health worse (Lifeguard).
    /// </summary>
    private void ProbeIndirectly(ProbeTarget target)
    {
        target.Cleared();
        var helpers = HelpersFor(target);
        if (helpers.Count == 0 || !_context.IsRunning)
            return;
        var probe = new IndirectProbe(target.Rtt.Timeout * 2);
        foreach (var helper in helpers)
        {
            var sequence = ++_pingSequence;
            probe.AskedUnder(sequence, helper.ToEndPoint());
            _context.SendDatagram(helper.ToEndPoint(), sequence, new IndirectPingRequest
            {
                Sender = _context.Self,
                IdBits = _context.Space.Bits,
                Target = target.Contact,
            });
        }
        target.Indirect = probe;
        probe.Timer = _context.StartTimer(probe.Wait, System.Threading.Timeout.InfiniteTimeSpan, () => HelpersTimedOut(target, probe));
    }

    /// <summary>The helpers' wait is over without a relayed answer: the silent ones count against this peer's own health.</summary>
    private void HelpersTimedOut(ProbeTarget target, IndirectProbe probe)
    {
        if (target.Indirect != probe || probe.Done)
            return;
        probe.Done = true;
        Health.Worse(probe.Unanswered);
        probe.End();
        if (target.AwaitingHelpers && _context.IsRunning && Target(target.Contact.Id) == target)
            Confirm(target);
    }

    /// <summary>
    /// A helper's answer: it counts only under a sequence number this peer asked that helper under, from that helper's
    /// endpoint, about the suspect it was asked about, and once. An answer relayed proves the suspect alive (no round-trip
    /// sample: it went the long way); a nack is one more confirmation.
    /// </summary>
    public void HandleIndirectAck(IPEndPoint from, uint sequence, IndirectPingAck ack)
    {
        if (Target(ack.Target.Id) is not { Indirect: { Done: false } probe } target || ack.Target != target.Contact || !probe.Answers(from, sequence))
            return;
        if (ack.Nack)
        {
            probe.Nacks++;
            return;
        }
        Alive(target); // Silent, as the re-pings are: SPEC has no text for it.
    }

    /// <summary>
    /// As a helper: pings the target with an indirect ping (answered, not taken as a predecessor's) and relays its answer,
    /// or a nack after a probe period. A request about this peer itself, or while it is not running, or beyond
    /// <see cref="MaxRelays"/>, is dropped.
    /// </summary>
    public void HandleIndirectPingRequest(IPEndPoint from, uint sequence, IndirectPingRequest request)
    {
        if (!_context.IsRunning || request.Target.Id == _context.Self.Id || _relays.Count >= MaxRelays)
            return;
        var pingSequence = ++_pingSequence;
        var nack = _context.StartTimer(ProbePeriod, System.Threading.Timeout.InfiniteTimeSpan, () => Nack(pingSequence));
        _relays[pingSequence] = new Relay(from, sequence, request.Target, nack);
        _context.SendDatagram(request.Target.ToEndPoint(), pingSequence, new PingRequest
        {
            Sender = _context.Self,
            IdBits = _context.Space.Bits,
            Rank = 0,
            Indirect = true,
            Incarnation = Incarnation,
            Deaths = _neighborhood.DeathsToGossip(_context.Now),
        });
    }

    /// <summary>A pong that answers an indirect ping of this peer's, from the target it went to: relayed to the asker.</summary>
    private bool RelayAnswer(IPEndPoint from, uint sequence, PingResponse response)
    {
        if (!_relays.TryGetValue(sequence, out var relay) || response.Sender.Id != relay.Target.Id || !SameEndPoint(from, relay.Target.ToEndPoint()))
            return false;
        _relays.Remove(sequence);
        relay.NackTimer.Dispose();
        SendAck(relay, nack: false);
        return true;
    }

    private void Nack(uint pingSequence)
    {
        if (!_relays.Remove(pingSequence, out var relay))
            return;
        relay.NackTimer.Dispose();
        if (_context.IsRunning)
            SendAck(relay, nack: true);
    }

    private void SendAck(Relay relay, bool nack) =>
        _context.SendDatagram(relay.Asker, relay.AskerSequence, new IndirectPingAck
        {
            Sender = _context.Self,
            IdBits = _context.Space.Bits,
            Target = relay.Target,
            Nack = nack,
        });

    private void StopRelaying()
    {
        foreach (var relay in _relays.Values)
            relay.NackTimer.Dispose();
        _relays.Clear();
    }
}
