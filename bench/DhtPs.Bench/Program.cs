using System.Globalization;
using DhtPs.Bench;

// Usage: dotnet run -c Release --project bench/DhtPs.Bench -- transfer [--size 1GiB] [--seed 1] [--rounds 3]
//        dotnet run -c Release --project bench/DhtPs.Bench -- auth [rounds]
if (args is ["auth", .. var rest])
    return await AuthenticationBenchmark.RunAsync(rest is [var fetches] ? int.Parse(fetches, CultureInfo.InvariantCulture) : 500);
if (args is not ["transfer", .. var options] || options.Length % 2 != 0)
{
    Console.Error.WriteLine("Usage: DhtPs.Bench transfer [--size 1GiB] [--seed 1] [--rounds 3]");
    return 2;
}
var size = 1L << 30;
var seed = 1;
var rounds = 3;
for (var i = 0; i < options.Length; i += 2)
{
    switch (options[i])
    {
        case "--size": size = ByteSize.Parse(options[i + 1]); break;
        case "--seed": seed = int.Parse(options[i + 1], CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(options[i + 1], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown option {options[i]}.");
            return 2;
    }
}
if (rounds < 1)
{
    Console.Error.WriteLine("--rounds must be at least 1.");
    return 2;
}
return await TransferBenchmark.RunAsync(size, seed, rounds);
