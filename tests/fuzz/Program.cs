using DhtPs.Fuzz;
using SharpFuzz;

// AFL++ runs this once per fork server: `dotnet DhtPs.Fuzz.dll <target>` reads each input from stdin.
// `dotnet DhtPs.Fuzz.dll --corpus <dir>` writes the seeds of every target into <dir>/<target>/.
if (args is ["--corpus", var directory])
{
    var counts = new Dictionary<string, int>();
    foreach (var (target, input) in FuzzTargets.Seeds())
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, target)).FullName;
        counts[target] = counts.GetValueOrDefault(target) + 1;
        File.WriteAllBytes(Path.Combine(folder, $"seed-{counts[target]:000}"), input);
    }
    return 0;
}
if (args is not [var name])
{
    Console.Error.WriteLine($"usage: DhtPs.Fuzz <{string.Join("|", FuzzTargets.Names)}> | --corpus <dir>");
    return 2;
}
var run = FuzzTargets.Target(name);
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    run(buffer.ToArray());
});
return 0;
