using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;

namespace DhtPs.Testing;

/// <summary>
/// Runs a command (module-qualified, e.g. DhtPs\Start-DhtPeer) in this session's runspace (a nested pipeline on the pipeline thread), so a test ring starts
/// its in-process peers exactly as Start-DhtPeer does, with whatever parameters Start-DhtPeer has.
/// </summary>
internal static class SessionCommand
{
    /// <exception cref="RuntimeException">The command wrote an error; it carries the first error record.</exception>
    public static Collection<PSObject> Invoke(string command, IDictionary parameters)
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand(command).AddParameters(parameters);
        var output = shell.Invoke();
        if (shell.Streams.Error.Count > 0)
            throw new RuntimeException(shell.Streams.Error[0].Exception.Message, shell.Streams.Error[0].Exception, shell.Streams.Error[0]);
        return output;
    }
}
