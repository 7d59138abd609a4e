using System.Text.Json.Serialization;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// A protocol message. Every message names its sender and the sender's id width,
/// so a peer of a ring with a different id width is refused at the first contact.
/// Decoding checks only the JSON shape; <see cref="MessageValidator"/> checks the rest.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(PingRequest), "ping")]
[JsonDerivedType(typeof(PingResponse), "pong")]
[JsonDerivedType(typeof(IndirectPingRequest), "ping-req")]
[JsonDerivedType(typeof(IndirectPingAck), "ping-req-ack")]
[JsonDerivedType(typeof(ErrorResponse), "error")]
[JsonDerivedType(typeof(Acknowledgement), "ack")]
[JsonDerivedType(typeof(JoinRequest), "join")]
[JsonDerivedType(typeof(JoinAccepted), "join-accepted")]
[JsonDerivedType(typeof(JoinRefused), "join-refused")]
[JsonDerivedType(typeof(SuccessorChange), "successor-change")]
[JsonDerivedType(typeof(DepartureNotice), "departure")]
[JsonDerivedType(typeof(NeighborsRequest), "neighbors")]
[JsonDerivedType(typeof(NeighborsResponse), "neighbors-reply")]
[JsonDerivedType(typeof(StoreRequest), "store")]
[JsonDerivedType(typeof(FetchRequest), "request")]
[JsonDerivedType(typeof(RemoveRequest), "remove")]
[JsonDerivedType(typeof(DigestRequest), "digest")]
[JsonDerivedType(typeof(RouteAnswer), "route-answer")]
[JsonDerivedType(typeof(FileUpload), "file-upload")]
[JsonDerivedType(typeof(FileUploadContent), "file-upload-content")]
[JsonDerivedType(typeof(FileDelivery), "file-delivery")]
[JsonDerivedType(typeof(FileContent), "file-content")]
[JsonDerivedType(typeof(TakeOverRequest), "take-over")]
[JsonDerivedType(typeof(TakeOverOffer), "take-over-offer")]
[JsonDerivedType(typeof(ReplicaSync), "replica-sync")]
[JsonDerivedType(typeof(ReplicaSyncReply), "replica-sync-reply")]
[JsonDerivedType(typeof(ReplicaRelease), "replica-release")]
[JsonDerivedType(typeof(ReplicaReleaseReply), "replica-release-reply")]
[JsonDerivedType(typeof(StoredFilesRequest), "stored-files")]
[JsonDerivedType(typeof(StoredFilesReply), "stored-files-reply")]
[JsonDerivedType(typeof(LookupRequest), "lookup")]
[JsonDerivedType(typeof(ClientStore), "client-store")]
[JsonDerivedType(typeof(ClientFetch), "client-fetch")]
[JsonDerivedType(typeof(ClientRemove), "client-remove")]
[JsonDerivedType(typeof(ClientLookup), "client-lookup")]
[JsonDerivedType(typeof(ClientFileDone), "client-file-done")]
[JsonDerivedType(typeof(ClientLookupDone), "client-lookup-done")]
[JsonDerivedType(typeof(ClientFailure), "client-failure")]
public abstract record Message
{
    public required PeerContact Sender { get; init; }
    public required int IdBits { get; init; }
}
