using System.Net;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// One suspect's round of SWIM indirect probes: the helpers asked to ping it, each under a sequence number of its own
/// (an answer counts only under one of those, from the helper it was sent to, once), the nacks they sent, and the timer
/// that ends the wait. Owned by the suspect's <see cref="ProbeTarget"/>; touched only on the logical thread.
/// </summary>
internal sealed class IndirectProbe(TimeSpan wait)
{
    private readonly Dictionary<uint, IPEndPoint> _asked = [];

    /// <summary>How long the helpers' answers are waited for.</summary>
    public TimeSpan Wait { get; } = wait;

    /// <summary>How many helpers were asked.</summary>
    public int Asked { get; private set; }

    /// <summary>Helpers that said the suspect did not answer them either: independent confirmations (Lifeguard).</summary>
    public int Nacks { get; set; }

    /// <summary>The wait is over (timed out): the helpers still owing an answer are <see cref="Unanswered"/>.</summary>
    public bool Done { get; set; }

    public ITimer? Timer { get; set; }

    /// <summary>Helpers that have sent neither an answer nor a nack.</summary>
    public int Unanswered => _asked.Count;

    public void AskedUnder(uint sequence, IPEndPoint helper)
    {
        _asked[sequence] = helper;
        Asked++;
    }

    /// <summary>Whether an answer from <paramref name="from"/> under <paramref name="sequence"/> is one this round awaits; if so it is awaited no more.</summary>
    public bool Answers(IPEndPoint from, uint sequence) =>
        _asked.TryGetValue(sequence, out var helper) && FailureDetector.SameEndPoint(from, helper) && _asked.Remove(sequence);

    public void End()
    {
        Timer?.Dispose();
        Timer = null;
        _asked.Clear();
    }
}
