using System.Security.Cryptography;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FileServing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Peer.FileServing;

/// <summary>
/// The file service alone, against a fake context and an in-memory disk, on the SPEC's ring 2, 4, 5, 8, 9, 14, 19 (8-bit
/// ids; file "0012" has key 12): what an owner does with the stores and requests that reach it, which uploads it keeps,
/// and what a newcomer's take-over covers.
/// </summary>
public sealed class FileServiceTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static (FileService Service, FakeFileServiceContext Context) ServiceAt(ulong self, ulong[] successors, ulong[] predecessors, params string[] stored) =>
        ServiceAt(self, successors, predecessors, replicationFactor: 1, stored) is var (service, context, _) ? (service, context) : default;

    private static (FileService Service, FakeFileServiceContext Context, Neighborhood Neighborhood) ServiceAt(ulong self, ulong[] successors, ulong[] predecessors,
        int replicationFactor, params string[] stored)
    {
        var options = new PeerOptions { Id = self, ReplicationFactor = replicationFactor, RequestTimeout = RequestTimeout, DataPath = $"/data/{self}" };
        var neighborhood = new Neighborhood(new IdSpace(8), self, options);
        neighborhood.SetSuccessors(successors.Select(P));
        neighborhood.SetPredecessors(predecessors.Select(P).ToArray(), DateTimeOffset.UnixEpoch);
        var context = new FakeFileServiceContext(self);
        var service = new FileService(context, neighborhood, options);
        service.OpenStore(P(self).Port);
        foreach (var name in stored)
            Store(service, name);
        return (service, context, neighborhood);
    }

    private static void Store(FileService service, string name)
    {
        var content = new byte[] { 1, 2, 3 };
        service.Files.StoreAsync(name, new MemoryStream(content), content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), FileVersion.Unknown, default).GetAwaiter().GetResult();
    }

    private static TransferHeader Header(string name) => new(name, 3, new string('0', 64));

    private static StoreRequest StoreOf(string name, ulong origin, string requestId = "r-7") => new()
    {
        Sender = P(9), IdBits = 8, RequestId = requestId, Name = name, Key = FileKey.Of(name, new IdSpace(8)), Origin = P(origin), ToOwner = true,
    };

    private static FetchRequest FetchOf(string name, ulong origin) => new()
    {
        Sender = P(9), IdBits = 8, RequestId = "r-8", Name = name, Key = FileKey.Of(name, new IdSpace(8)), Origin = P(origin), ToOwner = true,
    };

    private static FileUpload Upload(ulong from, UploadPurpose purpose, string? requestId = null) => new() { Sender = P(from), IdBits = 8, Purpose = purpose, RequestId = requestId };

    [Fact]
    public void An_accepted_store_admits_the_upload_of_that_name_from_its_origin_only_until_it_expires()
    {
        var (service, context) = ServiceAt(14, [19, 2], [9, 8]);

        service.ServeAsOwner(StoreOf("0012", origin: 8));

        Assert.Equal(RouteOutcome.StoreAccepted, Assert.Single(context.Answers).Outcome);
        Assert.Equal(["Store 0012 request accepted"], context.EventTexts);
        Assert.Null(service.AdmitUpload(Upload(8, UploadPurpose.Store, "r-7"), Header("0012")));
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(8, UploadPurpose.Store, "r-7"), Header("0013"))?.Code);
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(5, UploadPurpose.Store, "r-7"), Header("0012"))?.Code);
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(8, UploadPurpose.Store, "r-9"), Header("0012"))?.Code);
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(8, UploadPurpose.Store), Header("0012"))?.Code);

        context.Clock.Now += 3 * RequestTimeout;
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(8, UploadPurpose.Store, "r-7"), Header("0012"))?.Code);
    }

    [Fact]
    public void A_request_for_a_file_held_here_is_delivered_off_the_logical_thread_and_one_for_a_missing_file_is_answered_not_stored()
    {
        var (service, context) = ServiceAt(14, [19, 2], [9, 8], "0012");

        service.ServeAsOwner(FetchOf("0012", origin: 2));
        Assert.Single(context.Background);
        Assert.Empty(context.Answers);                     // the file itself is the answer

        service.ServeAsOwner(FetchOf("0013", origin: 2));
        var (_, outcome, reason) = Assert.Single(context.Answers);
        Assert.Equal((RouteOutcome.NotStored, "Peer 14 owns key 13 but holds no file 0013."), (outcome, reason));
        Assert.Equal(["File 0012 is stored here", "File 0013 should be stored here, but is not"], context.EventTexts);
    }

    [Fact]
    public void A_newcomer_passes_a_request_for_a_file_it_lacks_to_the_successor_it_takes_over_from_until_the_take_over_is_done()
    {
        var (service, context) = ServiceAt(12, [14, 19], [9]);   // 12 just joined between 9 and 14

        service.RequestTakeOver(P(9));
        var (to, request, onReply) = Assert.Single(context.Sent);
        Assert.Equal((14UL, 9UL), (to.Id, Assert.IsType<TakeOverRequest>(request).Predecessor.Id));

        service.ServeAsOwner(FetchOf("0011", origin: 2));
        Assert.Equal(14UL, Assert.Single(context.PassedOn).Owner.Id);
        Assert.Empty(context.Answers);

        onReply(new Reply(new TakeOverOffer { Sender = P(14), IdBits = 8, Files = 0 }, null));   // 14 had none of 12's keys
        service.ServeAsOwner(FetchOf("0011", origin: 2));
        Assert.Equal(RouteOutcome.NotStored, Assert.Single(context.Answers).Outcome);
    }

    [Fact]
    public void A_take_over_upload_is_kept_only_from_the_successor_asked_for_keys_this_peer_owns_and_files_it_lacks()
    {
        var (service, context) = ServiceAt(12, [14, 19], [9], "0010");

        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(14, UploadPurpose.TakeOver), Header("0011"))?.Code);   // nothing asked yet
        service.RequestTakeOver(P(9));
        context.Sent[0].OnReply(new Reply(new TakeOverOffer { Sender = P(14), IdBits = 8, Files = 4 }, null));

        Assert.Null(service.AdmitUpload(Upload(14, UploadPurpose.TakeOver), Header("0011")));
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(19, UploadPurpose.TakeOver), Header("0011"))?.Code);
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(14, UploadPurpose.TakeOver), Header("0013"))?.Code);   // key 13 is 14's
        Assert.Equal(ErrorCode.AlreadyStored, service.AdmitUpload(Upload(14, UploadPurpose.TakeOver), Header("0010"))?.Code);
    }

    [Fact]
    public void The_successor_offers_a_newcomer_exactly_the_files_whose_keys_are_now_its_and_refuses_a_peer_that_is_not_between()
    {
        var (service, context) = ServiceAt(14, [19, 2], [9, 8], "0010", "0012", "0013", "0014");
        var replies = new List<Message>();

        service.HandleTakeOverRequest(new TakeOverRequest { Sender = P(12), IdBits = 8, Predecessor = P(9) }, replies.Add);
        Assert.Empty(replies);                                        // 9 is asked first whether it accepted 12
        var check = Assert.Single(context.Sent);
        Assert.Equal(9UL, check.To.Id);
        check.OnReply(new Reply(new NeighborsResponse { Sender = P(9), IdBits = 8, Successors = [P(12), P(14)], Predecessors = [P(8)] }, null));

        Assert.Equal(2, Assert.IsType<TakeOverOffer>(Assert.Single(replies)).Files);   // 0010 and 0012; 0013 and 0014 stay 14's
        Assert.Single(context.Background);
        service.HandleTakeOverRequest(new TakeOverRequest { Sender = P(16), IdBits = 8, Predecessor = P(14) }, replies.Add);
        Assert.Equal(ErrorCode.Invalid, Assert.IsType<ErrorResponse>(replies[^1]).Code);
    }

    [Fact]
    public void A_take_over_from_a_peer_the_old_first_predecessor_did_not_accept_is_refused_and_hands_over_nothing()
    {
        var (service, context) = ServiceAt(14, [19, 2], [9, 8], "0010", "0012");
        var replies = new List<Message>();

        service.HandleTakeOverRequest(new TakeOverRequest { Sender = P(12), IdBits = 8, Predecessor = P(9) }, replies.Add);
        context.Sent[0].OnReply(new Reply(new NeighborsResponse { Sender = P(9), IdBits = 8, Successors = [P(14), P(19)], Predecessors = [P(8)] }, null));

        Assert.Equal(ErrorCode.Invalid, Assert.IsType<ErrorResponse>(Assert.Single(replies)).Code);
        Assert.Empty(context.Background);
    }

    [Fact]
    public void A_take_over_from_the_peer_already_pinging_as_first_predecessor_is_offered_at_once()
    {
        var (service, context) = ServiceAt(14, [19, 2], [12, 9], "0010", "0012");
        var replies = new List<Message>();

        service.HandleTakeOverRequest(new TakeOverRequest { Sender = P(12), IdBits = 8, Predecessor = P(9) }, replies.Add);

        Assert.Equal(2, Assert.IsType<TakeOverOffer>(Assert.Single(replies)).Files);
        Assert.Empty(context.Sent);
    }

    [Fact]
    public void A_hand_off_is_kept_only_from_the_first_predecessor_and_only_for_keys_this_peer_owns_once_it_has_gone()
    {
        var (service, _) = ServiceAt(14, [19, 2], [9, 8]);

        Assert.Null(service.AdmitUpload(Upload(9, UploadPurpose.HandOff), Header("0009")));
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(8, UploadPurpose.HandOff), Header("0009"))?.Code);
        Assert.Equal(ErrorCode.Unsolicited, service.AdmitUpload(Upload(9, UploadPurpose.HandOff), Header("0005"))?.Code);
    }
}
