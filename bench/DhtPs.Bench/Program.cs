using System.Globalization;
using DhtPs.Bench;

// Usage: dotnet run -c Release --project bench/DhtPs.Bench -- transfer [--size 1GiB] [--seed 1]
//        dotnet run -c Release --project bench/DhtPs.Bench -- auth [rounds]
if (args is ["auth", .. var rest])
    return await AuthenticationBenchmark.RunAsync(rest is [var rounds] ? int.Parse(rounds, CultureInfo.InvariantCulture) : 500);
if (args is not ["transfer", .. var options] || options.Length % 2 != 0)
{
    Console.Error.WriteLine("Usage: DhtPs.Bench transfer [--size 1GiB] [--seed 1]");
    return 2;
}
var size = 1L << 30;
var seed = 1;
for (var i = 0; i < options.Length; i += 2)
{
    switch (options[i])
    {
        case "--size": size = ByteSize.Parse(options[i + 1]); break;
        case "--seed": seed = int.Parse(options[i + 1], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown option {options[i]}.");
            return 2;
    }
}
return await TransferBenchmark.RunAsync(size, seed);
