using DhtPs.Fuzz;

namespace DhtPs.Tests.Unit.Security;

/// <summary>
/// The fuzz targets of tests/fuzz, run in the default tests on 10,000 seeded mutations of their seeds (bit flips,
/// byte sets, cuts, insertions, splices, the interesting integers AFL uses): every input must be refused the
/// documented way or accepted, never crash. The AFL++ run (build.ps1 Fuzz) goes far wider; this keeps the floor.
/// </summary>
public sealed class FuzzMutationTests
{
    private const int Inputs = 10_000;
    private static readonly int[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, -1, 61440, 61441];

    [Fact]
    public void Ten_thousand_seeded_mutations_of_every_target_are_refused_or_accepted_and_never_crash()
    {
        var seeds = FuzzTargets.Seeds().ToArray();
        var random = new Random(17);
        var perTarget = new Dictionary<string, int>();
        for (var i = 0; i < Inputs; i++)
        {
            var (target, seed) = seeds[random.Next(seeds.Length)];
            var input = Mutate(seed, seeds[random.Next(seeds.Length)].Input, random);
            try
            {
                FuzzTargets.Target(target)(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"Mutation {i} of a {target} seed crashed with {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(input)}");
            }
            perTarget[target] = perTarget.GetValueOrDefault(target) + 1;
        }
        Assert.Equal(FuzzTargets.Names.Order(), perTarget.Keys.Order()); // Every target got its share.
    }

    private static byte[] Mutate(byte[] seed, byte[] other, Random random)
    {
        var bytes = seed.ToList();
        for (var round = random.Next(1, 5); round > 0; round--)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, random.Next(1, Math.Min(16, bytes.Count - at) + 1));
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4 when bytes.Count >= at + 4:
                    var value = BitConverter.GetBytes(Interesting[random.Next(Interesting.Length)]);
                    for (var k = 0; k < 4; k++)
                        bytes[at + k] = value[3 - k];
                    break;
                default:
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(random.Next(1, 64)));
                    break;
            }
        }
        return [.. bytes];
    }
}
