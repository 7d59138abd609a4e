using System.Management.Automation;
using System.Threading.Channels;
using DhtPs.Core.Peer;
using DhtPs.Hosting;

namespace DhtPs.Interactive;

/// <summary>
/// The original program's console, attached to a peer of this process. Everything it prints goes through
/// <c>write</c> on the thread that calls it (the pipeline thread): other threads only post to one channel —
/// "the peer raised an event", "a line was typed", "the peer stopped" — and the caller's thread drains that channel
/// in order. It prints the events raised after it attached, pings included, as the original program did, after the
/// latest <c>backlog</c> ones the job kept; it leaves the job's streams to Receive-Job.
/// </summary>
internal sealed class PeerConsole : IDisposable
{
    private abstract record Item;
    private sealed record EventArrived(DhtEvent Raised) : Item;
    private sealed record LineTyped(string? Text) : Item; // Null: the end of input.
    private sealed record PeerStopped : Item;

    private readonly DhtPeerJob _job;
    private readonly IConsoleFileCommands _files;
    private readonly string _directory;
    private readonly Action<string> _write;
    private readonly CancellationToken _stop;
    private readonly Channel<Item> _items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });

    public PeerConsole(DhtPeerJob job, IConsoleFileCommands files, string directory, Action<string> write, CancellationToken stop, int backlog = 0)
    {
        _job = job;
        _files = files;
        _directory = directory;
        _write = write;
        _stop = stop;
        // What the job kept comes first; an event raised meanwhile may show twice, never not at all.
        foreach (var raised in job.Backlog(backlog))
            _items.Writer.TryWrite(new EventArrived(raised));
        job.Peer.EventRaised += OnEventRaised;
        job.Peer.Completion.ContinueWith(_ => _items.Writer.TryWrite(new PeerStopped()), TaskScheduler.Default);
    }

    public ulong PeerId => _job.Peer.Id;

    /// <summary>True once the peer has stopped: the console has nothing left to do.</summary>
    public bool IsOver { get; private set; }

    /// <summary>Runs one scripted line after the events so far, then prints the events it caused. Ignored once the peer has stopped.</summary>
    public void Run(string line)
    {
        DrainReady();
        if (IsOver)
            return;
        Execute(line);
        DrainReady();
    }

    /// <summary>Runs lines typed at this process's console as they come, printing events meanwhile, until the peer stops.</summary>
    public void Interact()
    {
        _write(ConsoleText.Banner(_job.Peer.Snapshot));
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        var reading = ReadInputAsync(stopReading.Token);
        try
        {
            while (!IsOver)
            {
                switch (Next())
                {
                    case LineTyped { Text: { } text }:
                        Execute(text);
                        break;
                    case LineTyped:
                        break; // The end of input: keep showing events until the peer stops (or Ctrl+C).
                    case var item:
                        Handle(item);
                        break;
                }
            }
        }
        finally
        {
            stopReading.Cancel();
            reading.Wait(TimeSpan.FromSeconds(1));
        }
    }

    public void Dispose() => _job.Peer.EventRaised -= OnEventRaised;

    private void OnEventRaised(object? sender, DhtEvent raised) => _items.Writer.TryWrite(new EventArrived(raised));

    private async Task ReadInputAsync(CancellationToken cancellationToken)
    {
        try
        {
            string? line;
            do
            {
                line = await ConsoleLineSource.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                _items.Writer.TryWrite(new LineTyped(line));
            }
            while (line is not null);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Execute(string line)
    {
        var command = ConsoleCommand.Parse(line);
        switch (command.Kind)
        {
            case ConsoleCommandKind.Empty:
                break;
            case ConsoleCommandKind.Unknown:
                _write(command.Argument);
                break;
            case ConsoleCommandKind.Help:
                WriteAll(ConsoleText.Help);
                break;
            case ConsoleCommandKind.Ring:
                WriteAll(ConsoleText.Ring(PeerId, Wait(token => _job.Peer.WalkRingAsync(cancellationToken: token))));
                break;
            case ConsoleCommandKind.Store:
                WriteAll(Wait(token => _files.StoreAsync(_job.Peer, command.Argument, _directory, token)));
                break;
            case ConsoleCommandKind.Request:
                WriteAll(Wait(token => _files.RequestAsync(_job.Peer, command.Argument, _directory, token)));
                break;
            case ConsoleCommandKind.Quit:
                Wait(async _ => { await PeerRegistry.StopAsync(_job).ConfigureAwait(false); return true; });
                while (!IsOver)
                    Handle(Next()); // Its last events; lines typed after Quit are not run.
                break;
        }
    }

    private void Handle(Item item)
    {
        switch (item)
        {
            case EventArrived arrived:
                _write(ConsoleText.Event(arrived.Raised));
                break;
            case PeerStopped: // after the peer's last event: it raised them all before it stopped
                IsOver = true;
                break;
        }
    }

    private void DrainReady()
    {
        while (_items.Reader.TryRead(out var item))
            Handle(item);
    }

    private Item Next() => Wait(token => _items.Reader.ReadAsync(token).AsTask());

    private T Wait<T>(Func<CancellationToken, Task<T>> operation) => PipelineWait.Result(operation(_stop), _stop);

    private void WriteAll(IEnumerable<string> lines)
    {
        foreach (var line in lines)
            _write(line);
    }
}
