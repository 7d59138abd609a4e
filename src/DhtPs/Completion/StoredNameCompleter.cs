using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using DhtPs.Hosting;

namespace DhtPs.Completion;

/// <summary>
/// Completes the names of files in the ring, for Get-DhtFile -Name and Resolve-DhtKey -Name (and, once they exist,
/// Remove-DhtFile and Get-DhtStoredFile): the names the local peers hold, then those this session stored or fetched.
/// </summary>
public sealed class StoredNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = Completions.Unquote(wordToComplete);
        return StoredNames.Known()
            .Where(known => known.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(known => new CompletionResult(Completions.Quote(known.Name), known.Name, CompletionResultType.ParameterValue, known.Where))
            .ToArray();
    }
}
