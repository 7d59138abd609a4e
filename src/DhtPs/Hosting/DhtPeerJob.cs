using System.Management.Automation;
using DhtPs.Core.Peer;

namespace DhtPs.Hosting;

/// <summary>
/// A running peer as a PowerShell job: Get-Job lists it, Receive-Job streams its events,
/// Stop-Job makes it depart gracefully. Events are kept in a bounded buffer so a long-lived peer cannot grow without limit.
/// </summary>
public sealed class DhtPeerJob : Job
{
    public const string JobTypeName = "DhtPeerJob";
    public const int EventBufferLimit = 10_000;

    internal DhtPeerJob(PeerNode peer, string command)
        : base(command, $"DhtPeer{peer.Id}")
    {
        Peer = peer;
        PSJobTypeName = JobTypeName;
        peer.EventRaised += OnEventRaised;
        peer.Completion.ContinueWith(_ => SetJobState(JobState.Stopped), TaskScheduler.Default);
        SetJobState(JobState.Running);
    }

    /// <summary>The live peer, for Register-ObjectEvent on its EventRaised event.</summary>
    public PeerNode Peer { get; }

    public override string Location => Peer.Contact.EndPoint;

    public override bool HasMoreData => Output.Count > 0;

    public override string StatusMessage => Peer.Snapshot.State.ToString();

    public override void StopJob() => PeerRegistry.StopAsync(this).GetAwaiter().GetResult();

    private void OnEventRaised(object? sender, DhtEvent raised)
    {
        // PSDataCollection is thread-safe; Receive-Job drains it on the pipeline thread.
        Output.Add(PSObject.AsPSObject(raised));
        while (Output.Count > EventBufferLimit)
            Output.RemoveAt(0);
    }
}
