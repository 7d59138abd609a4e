using System.Collections;
using System.Management.Automation;
using DhtPs.Core.Transport.Faults;

namespace DhtPs.Commands;

/// <summary>
/// Lets -FaultInjection take any object with its settable properties, not only a hashtable: a [pscustomobject], or a
/// FaultInjection that crossed a process boundary (New-DhtTestRing -Process passes each member's parameters as CliXml,
/// and a deserialized object is only a bag of its properties, IsActive among them, which PowerShell will not convert).
/// </summary>
internal sealed class FaultInjectionTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly HashSet<string> Settable = new(
        typeof(FaultInjection).GetProperties().Where(p => p.SetMethod is { IsPublic: true }).Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (inputData is not PSObject { BaseObject: var baseObject } bag || baseObject is FaultInjection or IDictionary)
            return inputData;
        var properties = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var property in bag.Properties.Where(p => Settable.Contains(p.Name)))
            properties[property.Name] = property.Value;
        return properties;
    }
}
