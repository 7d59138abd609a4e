using System.Threading.Channels;

namespace DhtPs.Interactive;

/// <summary>Lines typed at this process's console (its standard input), for the peer console.</summary>
internal static class ConsoleLineSource
{
    /// <summary>
    /// Redirected input is read by one background thread for the whole process, so consecutive consoles take
    /// turns on it and no line is lost between them.
    /// </summary>
    private static readonly Lazy<Channel<string>> Redirected = new(StartReader);

    /// <summary>The next line, or null at the end of input.</summary>
    public static async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        if (System.Console.IsInputRedirected)
        {
            var lines = Redirected.Value.Reader;
            return await lines.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && lines.TryRead(out var line) ? line : null;
        }
        // A terminal: start reading only once a key is typed, so a console that has returned takes no line
        // from the PowerShell prompt.
        while (!System.Console.KeyAvailable)
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        return await Task.Run(System.Console.ReadLine, cancellationToken).ConfigureAwait(false);
    }

    private static Channel<string> StartReader()
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
        var reader = new Thread(() =>
        {
            while (System.Console.In.ReadLine() is { } line)
                channel.Writer.TryWrite(line);
            channel.Writer.TryComplete();
        })
        {
            IsBackground = true,
            Name = "DhtPs console input",
        };
        reader.Start();
        return channel;
    }
}
