using System.Management.Automation;
using DhtPs.Testing;

namespace DhtPs.Hosting;

/// <summary>
/// No orphan sockets, processes or data folders, and no file lost to a closing session: test rings go, then every
/// peer departs gracefully (its files handed on, its predecessors told) within its -DepartTimeout, when the module is
/// removed (OnRemove) and when the process exits (ProcessExit, which `exit` and SIGTERM raise; OnRemove does not run then).
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _exitHooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => EndSession();
            TerminationSignal.Register();
        }
    }

    /// <summary>The process is ending: test rings go, then every peer departs.</summary>
    internal static void EndSession()
    {
        TestRingRegistry.RemoveAll();
        PeerRegistry.DepartAll();
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        TestRingRegistry.RemoveAll();
        PeerRegistry.DepartAllAndUnlist();
        Completion.StoredNames.Forget();
    }
}
