using System.Diagnostics;

namespace DhtPs.Testing;

/// <summary>
/// A test peer in a pwsh process of its own (module/DhtTestPeer.ps1): its output goes to a log file, and
/// <see cref="Ready"/> completes once the peer runs, or fails with the log when the process exits first.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    public const string ReadyLine = "DhtTestPeer ready";

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PeerProcess(Process process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public Task Ready => _ready.Task;

    public static PeerProcess Start(TestRingHost host, string parametersPath, string logPath)
    {
        var start = new ProcessStartInfo(host.PwshPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-NoProfile", "-NonInteractive", "-File", host.PeerScriptPath,
                     "-Manifest", host.ManifestPath, "-ParametersPath", parametersPath, "-ParentId", Environment.ProcessId.ToString(),
                 })
            start.ArgumentList.Add(argument);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var peer = new PeerProcess(process, log, logPath);
        process.OutputDataReceived += (_, line) => peer.OnLine(line.Data, isError: false);
        process.ErrorDataReceived += (_, line) => peer.OnLine(line.Data, isError: true);
        process.Exited += (_, _) => peer.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>SIGKILL (TerminateProcess on Windows): the peer tells nobody.</summary>
    public void Kill(TimeSpan wait)
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        _process.WaitForExit(wait);
    }

    /// <summary>The last lines of the log, for an error message.</summary>
    public string Tail(int lines = 15)
    {
        lock (_log)
        {
            try
            {
                using var read = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(read);
                return string.Join(Environment.NewLine, reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(lines));
            }
            catch (IOException)
            {
                return "";
            }
        }
    }

    private void OnLine(string? line, bool isError)
    {
        if (line is null)
            return;
        lock (_log)
        {
            try
            {
                _log.WriteLine(isError ? $"error: {line}" : line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
        if (!isError && line == ReadyLine)
            _ready.TrySetResult();
    }

    private void OnExited()
    {
        // Let the output handlers finish so the log holds the reason.
        _process.WaitForExit();
        _ready.TrySetException(new InvalidOperationException(
            $"The peer process {_process.Id} exited (code {_process.ExitCode}) before its peer ran. Its log ({LogPath}):{Environment.NewLine}{Tail()}"));
    }

    public void Dispose()
    {
        lock (_log)
            _log.Dispose();
        _process.Dispose();
    }
}
