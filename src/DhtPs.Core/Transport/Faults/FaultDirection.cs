namespace DhtPs.Core.Transport.Faults;

/// <summary>Which of a peer's datagrams a <see cref="FaultInjection"/> applies to.</summary>
[Flags]
public enum FaultDirection
{
    Send = 1,
    Receive = 2,
    Both = Send | Receive,
}
