using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.InMemory;

/// <summary>
/// One request/response over a simulated reliable stream. A target that is crashed or partitioned away
/// stays silent until the timeout; a live host with nothing bound refuses after one delay.
/// The result completes synchronously on the thread that delivers it (no RunContinuationsAsynchronously),
/// so a simulation keeps every continuation on its own thread.
/// </summary>
internal sealed class Exchange
{
    private readonly TaskCompletionSource<Message> _result = new();
    private readonly InMemoryNetwork _network;
    private readonly InMemoryTransport _requester;
    private readonly IPEndPoint _from;
    private readonly IPEndPoint _to;
    private readonly Wire _request;
    private readonly TimeSpan _timeout;
    private readonly ITimer _deadline;
    private readonly CancellationTokenRegistration _cancellation;

    public Exchange(InMemoryNetwork network, InMemoryTransport from, IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _network = network;
        _requester = from;
        _from = from.LocalEndPoint;
        _to = to;
        _timeout = timeout;
        network.Statistics.RequestsSent++;
        _request = Wire.Encode(network, from.Ingest.Codec, request, sequence: 0);
        _deadline = network.Time.CreateTimer(static state => ((Exchange)state!).TimeOut(), this, timeout, Timeout.InfiniteTimeSpan);
        _cancellation = cancellationToken.Register(static state => ((Exchange)state!).Cancel(), this);
        After(network.NextDelay(), static exchange => exchange.Arrive());
    }

    public Task<Message> Task => _result.Task;

    private void Arrive()
    {
        if (_network.Receiver(_from, _to) is { } target)
            Serve(target);
        else if (_network.ArrivesUnbound(_from, _to))
            Fail("refused the connection");
        // Otherwise the host is crashed or partitioned away: silence until the deadline.
    }

    private void Serve(InMemoryTransport target)
    {
        Message request;
        try
        {
            request = _request.Decode(target.Ingest.Codec);
        }
        catch (ProtocolException e)
        {
            target.Ingest.Undecodable(_from, InputPath.Request, e);
            Fail("closed the connection without answering");
            return;
        }
        target.Ingest.RequestAsync(_from, request, CancellationToken.None)
            .ContinueWith(static (reply, state) =>
                {
                    var (exchange, server) = ((Exchange, InMemoryTransport))state!;
                    exchange.Reply(reply, server);
                }, (this, target), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Reply(Task<Message?> reply, InMemoryTransport target)
    {
        if (reply is not { IsCompletedSuccessfully: true, Result: { } answer })
        {
            After(_network.NextDelay(), static exchange => exchange.Fail("closed the connection without answering"));
            return;
        }
        var wire = Wire.Encode(_network, target.Ingest.Codec, answer, sequence: 0);
        After(_network.NextDelay(), exchange => exchange.Receive(wire));
    }

    private void Receive(Wire reply)
    {
        if (_network.Receiver(_to, _from) is null)
            return; // The requester's host or the path went away while the answer travelled: the deadline will fire.
        Message message;
        try
        {
            message = _requester.Ingest.Answer(_to, reply.Decode(_requester.Ingest.Codec));
        }
        catch (ProtocolException e)
        {
            _requester.Ingest.Undecodable(_to, InputPath.Answer, e);
            Fail($"answered with a malformed frame: {e.Message}");
            return;
        }
        catch (TransportException e)
        {
            Fail($"sent an invalid answer: {e.InnerException?.Message}");
            return;
        }
        if (_result.TrySetResult(message))
        {
            _network.Statistics.RequestsAnswered++;
            Finish();
        }
    }

    private void TimeOut() => Fail($"did not answer within {_timeout.TotalSeconds:0.###} s");

    private void Fail(string what)
    {
        if (_result.TrySetException(new TransportException(_to, $"Peer at {_to} {what}.")))
        {
            _network.Statistics.RequestsFailed++;
            Finish();
        }
    }

    private void Cancel()
    {
        if (_result.TrySetCanceled())
            Finish();
    }

    private void Finish()
    {
        _deadline.Dispose();
        _cancellation.Dispose();
    }

    private void After(TimeSpan delay, Action<Exchange> step) =>
        _network.Time.CreateTimer(static state =>
        {
            var (exchange, next) = ((Exchange, Action<Exchange>))state!;
            if (!exchange.Task.IsCompleted)
                next(exchange);
        }, (this, step), delay, Timeout.InfiniteTimeSpan);
}
