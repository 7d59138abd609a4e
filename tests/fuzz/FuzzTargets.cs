using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Protocol.Authentication;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;
using DhtPs.Core.Transport;

namespace DhtPs.Fuzz;

/// <summary>
/// What a stranger's bytes reach first, one target each: the frame decoder, the message decoder with the validator,
/// the whole datagram path through the ingest point (open and authenticated), and the transfer header. A target may
/// refuse its input only in the documented ways (<see cref="ProtocolException"/>, <see cref="UnsafeFileNameException"/>);
/// any other exception, a hang, or a crash is a finding. Shared by the AFL++ harness and the unit tests' seeded run.
/// </summary>
public static class FuzzTargets
{
    public static readonly string[] Names = ["frame", "message", "datagram", "header"];

    private static readonly IPEndPoint From = IPEndPoint.Parse("127.0.0.1:40000");
    private static readonly Ingest OpenIngest = new(WireCodec.Open, new Sink());
    private static readonly AuthenticatedWireCodec Sealed = new(RingSecret.FromBytes("fuzzing secret, 32 bytes exactly"u8));
    private static readonly Ingest SealedIngest = new(Sealed, new Sink());

    public static Action<byte[]> Target(string name) => name switch
    {
        "frame" => Frame,
        "message" => Message,
        "datagram" => Datagram,
        "header" => Header,
        _ => throw new ArgumentException($"Unknown fuzz target '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>One datagram-sized frame, and the same bytes read as a stream of frames.</summary>
    public static void Frame(byte[] input)
    {
        Refusing(() => FrameCodec.Decode(input));
        Refusing(() =>
        {
            using var stream = new MemoryStream(input);
            while (FrameCodec.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult() is not null)
            {
            }
        });
    }

    /// <summary>A payload as JSON, then the one validation, then what a peer would print of it.</summary>
    public static void Message(byte[] input) => Refusing(() =>
    {
        var message = MessageCodec.DecodePayload(new Frame(FrameKind.Message, 0, input));
        if (MessageValidator.Validate(message, new IdSpace(8)) is { } problem)
            _ = RemoteText.Clean(problem.Reason);
        if (MessageValidator.Validate(message, new IdSpace(64)) is { } wide)
            _ = RemoteText.Clean(wide.Reason);
        if (message is ErrorResponse error)
            _ = RemoteText.Clean(error.Reason);
    });

    /// <summary>The ingest point catches every refusal itself: nothing may escape it.</summary>
    public static void Datagram(byte[] input)
    {
        OpenIngest.Datagram(From, input);
        SealedIngest.Datagram(From, input);
    }

    public static void Header(byte[] input)
    {
        Refusing(() => TransferHeader.Decode(input));
        Refusing(() =>
        {
            using var stream = new MemoryStream(input);
            FileReceiver.ReadHeaderAsync(stream, long.MaxValue, CancellationToken.None).GetAwaiter().GetResult();
        });
    }

    private static void Refusing(Action decode)
    {
        try
        {
            decode();
        }
        catch (Exception e) when (e is ProtocolException or UnsafeFileNameException)
        {
            // The documented refusals.
        }
    }

    /// <summary>A handler that takes everything quietly, so only the ingest point itself is under test.</summary>
    private sealed class Sink : ITransportHandler
    {
        public IdSpace Space { get; } = new(8);
        public void OnDatagram(IPEndPoint from, uint sequence, DhtPs.Core.Protocol.Message message) { }
        public Task<DhtPs.Core.Protocol.Message> OnRequestAsync(IPEndPoint from, DhtPs.Core.Protocol.Message request, CancellationToken cancellationToken) =>
            Task.FromException<DhtPs.Core.Protocol.Message>(new InvalidOperationException());
        public Task OnStreamAsync(IPEndPoint from, DhtPs.Core.Protocol.Message opening, Stream stream, CancellationToken cancellationToken) => Task.CompletedTask;
        public DhtPs.Core.Protocol.Message? OnRefused(IPEndPoint from, InputRefusal refusal) => null;
    }

    /// <summary>Valid inputs of every target, the seeds of the corpus and of the seeded mutation run.</summary>
    public static IEnumerable<(string Target, byte[] Input)> Seeds()
    {
        var two = new PeerContact(2, "127.0.0.1", 12002);
        var space = new IdSpace(8);
        DhtPs.Core.Protocol.Message[] messages =
        [
            new PingRequest { Sender = two, IdBits = 8, Rank = 1 },
            new PingResponse { Sender = two, IdBits = 8 },
            new ErrorResponse { Sender = two, IdBits = 8, Code = ErrorCode.Invalid, Reason = "why \u001b[31m" },
            new JoinRequest { Sender = two, IdBits = 8, Joiner = new PeerContact(15, "127.0.0.1", 12015) },
            new JoinAccepted { Sender = two, IdBits = 8, Successors = [two], Predecessors = [two] },
            new SuccessorChange { Sender = two, IdBits = 8, Successors = [two, new PeerContact(9, "::1", 9)] },
            new DepartureNotice { Sender = two, IdBits = 8, Successors = [two] },
            new NeighborsResponse { Sender = two, IdBits = 8, Successors = [two], Predecessors = [] },
            new StoreRequest { Sender = two, IdBits = 8, RequestId = "r-1", Name = "2012", Key = FileKey.Of("2012", space), Origin = two },
            new FetchRequest { Sender = two, IdBits = 8, RequestId = "r-2", Name = "notes.txt", Key = FileKey.Of("notes.txt", space), Origin = two, Hops = 3 },
            new RouteAnswer { Sender = two, IdBits = 8, RequestId = "r-1", Outcome = RouteOutcome.StoreAccepted },
            new FileUpload { Sender = two, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = "r-1" },
            new TakeOverRequest { Sender = two, IdBits = 8, Predecessor = two },
            new LookupRequest { Sender = two, IdBits = 8, RequestId = "l-1", Key = 200, Origin = two },
            new RouteAnswer { Sender = two, IdBits = 8, RequestId = "l-1", Outcome = RouteOutcome.Owner, Hops = 2 },
        ];
        for (var i = 0; i < messages.Length; i++)
        {
            var frame = MessageCodec.Encode(messages[i], (uint)i);
            yield return ("frame", frame);
            yield return ("message", frame[FrameCodec.HeaderLength..^FrameCodec.ChecksumLength]);
            yield return ("datagram", i % 2 == 0 ? frame : Sealed.EncodeDatagram(messages[i], (uint)i));
        }
        var header = new TransferHeader("2012.pdf", 4_195_081, new string('a', 64)).Encode();
        yield return ("header", header);
        yield return ("header", FrameCodec.Encode(FrameKind.FileHeader, 0, header));
    }
}
