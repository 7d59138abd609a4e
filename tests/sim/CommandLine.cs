namespace DhtPs.Simulation;

/// <summary>The console's arguments; null from <see cref="Parse"/> means print the usage.</summary>
internal sealed record CommandLine(int Seeds, int FirstSeed, int? Replay, int Peers, int Steps, bool Codec, bool Trace, int? Bench, int Lookups,
    bool SuccessorRouting = false, int Successors = 2, int? SlowInterval = null, int SlowEvery = 2, bool DeadStayDead = false, bool MixedFlap = false,
    int? MeasureRepair = null, int? MeasureLossPercent = null, int? MeasureStall = null, int Minutes = 60, bool ProcessCrash = false,
    int Replicas = 1, int Files = 0, int IndirectProbes = DhtPs.Core.Peer.PeerOptions.DefaultIndirectProbes, int? MeasureLinkCut = null)
{
    public const string Usage =
        "usage: DhtPs.Simulation [--seeds N] [--first-seed S] [--seed S [--trace]] [--peers P] [--steps N] [--codec] [--routing-successor] [--successors R] [--replicas R] [--files N] [--bench PEERS [--lookups N]]" +
        " [--slow-interval S [--slow-every N]] [--dead-stay-dead] [--mixed-flap]" +
        " [--indirect-probes K] [--measure-repair CRASHES [--process-crash]] [--measure-loss PERCENT [--minutes M]] [--measure-stall INTERVALS [--minutes M]] [--measure-link-cut INTERVALS [--minutes M]]";

    public static CommandLine? Parse(string[] args)
    {
        var parsed = new CommandLine(Seeds: 100, FirstSeed: 1, Replay: null, Peers: 64, Steps: 30, Codec: false, Trace: false, Bench: null, Lookups: 10_000);
        for (var i = 0; i < args.Length; i++)
        {
            int Number() => i + 1 < args.Length && int.TryParse(args[++i], out var n) && n >= 0 ? n : throw new FormatException(args[i]);
            try
            {
                parsed = args[i] switch
                {
                    "--seeds" => parsed with { Seeds = Number() },
                    "--first-seed" => parsed with { FirstSeed = Number() },
                    "--seed" => parsed with { Replay = Number() },
                    "--peers" => parsed with { Peers = Number() },
                    "--steps" => parsed with { Steps = Number() },
                    "--codec" => parsed with { Codec = true },
                    "--trace" => parsed with { Trace = true },
                    "--bench" => parsed with { Bench = Number() },
                    "--lookups" => parsed with { Lookups = Number() },
                    "--routing-successor" => parsed with { SuccessorRouting = true },
                    "--successors" => parsed with { Successors = Number() },
                    "--files" => parsed with { Files = Number() },
                    "--replicas" => Number() is var replicas ? parsed with { Replicas = replicas, Successors = Math.Max(parsed.Successors, replicas + 1) } : null,
                    "--slow-interval" => parsed with { SlowInterval = Number() },
                    "--slow-every" => parsed with { SlowEvery = Number() },
                    "--dead-stay-dead" => parsed with { DeadStayDead = true },
                    "--mixed-flap" => parsed with { MixedFlap = true },
                    "--measure-repair" => parsed with { MeasureRepair = Number() },
                    "--measure-loss" => parsed with { MeasureLossPercent = Number() },
                    "--measure-stall" => parsed with { MeasureStall = Number() },
                    "--minutes" => parsed with { Minutes = Number() },
                    "--process-crash" => parsed with { ProcessCrash = true },
                    "--indirect-probes" => parsed with { IndirectProbes = Number() },
                    "--measure-link-cut" => parsed with { MeasureLinkCut = Number() },
                    _ => null,
                };
            }
            catch (FormatException)
            {
                return null;
            }
            if (parsed is null)
                return null;
        }
        return parsed;
    }
}
