using System.Management.Automation;

namespace DhtPs.Hosting;

/// <summary>
/// No orphan sockets: peers stop when the module is removed (OnRemove) and when the
/// process exits (ProcessExit; OnRemove does not run then).
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _exitHooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => PeerRegistry.StopAll();
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        PeerRegistry.StopAllAndUnlist();
        Completion.StoredNames.Forget();
    }
}
