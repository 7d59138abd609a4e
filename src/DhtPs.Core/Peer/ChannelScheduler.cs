using System.Threading.Channels;

namespace DhtPs.Core.Peer;

/// <summary>An actor loop: a channel of work items drained by one background task.</summary>
public sealed class ChannelScheduler : IPeerScheduler
{
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Exception> _onError;
    private readonly Task _loop;

    /// <param name="onError">Told about a work item that threw; the loop carries on.</param>
    public ChannelScheduler(Action<Exception> onError)
    {
        _onError = onError;
        _loop = Task.Run(DrainAsync);
    }

    public void Post(Action work) => _work.Writer.TryWrite(work);

    public void RunInBackground(Func<Task> work) => _ = Task.Run(work);

    public TaskCreationOptions CompletionOptions => TaskCreationOptions.RunContinuationsAsynchronously;

    private async Task DrainAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                _onError(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
