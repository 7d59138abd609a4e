using System.Management.Automation;
using DhtPs.Testing;

namespace DhtPs.Hosting;

/// <summary>
/// No orphan sockets, processes or data folders: test rings, then peers, go when the module is removed (OnRemove)
/// and when the process exits (ProcessExit; OnRemove does not run then).
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _exitHooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                TestRingRegistry.RemoveAll();
                PeerRegistry.StopAll();
            };
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        TestRingRegistry.RemoveAll();
        PeerRegistry.StopAllAndUnlist();
        Completion.StoredNames.Forget();
    }
}
