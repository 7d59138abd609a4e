namespace DhtPs.Core.Protocol;

/// <summary>The reply to a request that needs no answer beyond "received and handled".</summary>
public sealed record Acknowledgement : Message;
