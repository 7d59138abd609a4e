using System.Management.Automation;

namespace DhtPs.Testing;

/// <summary>
/// No orphan test rings: their peer processes and data folders go when the module is removed and when the process
/// exits, beside the peers themselves (Hosting/ModuleLifetime).
/// </summary>
public sealed class TestRingLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _exitHooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TestRingRegistry.RemoveAll();
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => TestRingRegistry.RemoveAll();
}
