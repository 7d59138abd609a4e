namespace DhtPs.Core.Peer;

public enum PeerStatus
{
    Starting,
    Joining,
    Running,
    Departing,
    Stopped,
}
