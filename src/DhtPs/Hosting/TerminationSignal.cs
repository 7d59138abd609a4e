using System.Runtime.InteropServices;

namespace DhtPs.Hosting;

/// <summary>
/// SIGTERM asks the session to end, and pwsh would end it at once, without the process-exit cleanup: this one
/// handler, registered at import, ends the session the way its exit would (<see cref="ModuleLifetime.EndSession"/>: every
/// peer departs gracefully),
/// then ends the process with code 0. A running service (Start-DhtPeer -Wait) takes the signal instead: it departs
/// its peer, ends its wait and ends the process itself, and the process exit departs any other peer.
/// </summary>
internal static class TerminationSignal
{
    private static readonly Lock Gate = new();
    private static readonly List<Action<PosixSignal>> Services = [];
    private static PosixSignalRegistration? _registration;
    private static int _terminating;

    /// <summary>Registers the handler once per process; Windows has no SIGTERM to handle.</summary>
    public static void Register()
    {
        if (OperatingSystem.IsWindows())
            return;
        lock (Gate)
            _registration ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
    }

    /// <summary>A service that takes SIGTERM itself while it runs; dispose the result when it stops.</summary>
    public static IDisposable Divert(Action<PosixSignal> service)
    {
        lock (Gate)
            Services.Add(service);
        return new Diversion(service);
    }

    private static void OnTerminate(PosixSignalContext context)
    {
        context.Cancel = true; // Not the runtime's immediate exit: the peers depart first.
        Action<PosixSignal>[] services;
        lock (Gate)
            services = [.. Services];
        if (services.Length > 0)
        {
            foreach (var service in services)
                service(context.Signal);
            return;
        }
        if (Interlocked.Exchange(ref _terminating, 1) == 1)
            return; // A second SIGTERM while the peers depart: they are bounded already.
        Task.Run(() =>
        {
            ModuleLifetime.EndSession();
            Console.Out.Flush();
            Environment.Exit(0);
        });
    }

    private sealed class Diversion(Action<PosixSignal> service) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
                Services.Remove(service);
        }
    }
}
