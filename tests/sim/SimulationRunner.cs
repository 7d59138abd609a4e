using DhtPs.Simulation.Files;
using DhtPs.Simulation.Invariants;
using DhtPs.Simulation.Operations;
using DhtPs.Simulation.Schedules;

namespace DhtPs.Simulation;

/// <summary>
/// Runs one seed: the init ring forms, then each step applies one operation and runs the clock for a step,
/// and at the quiescent point that follows (nothing left due at this instant) the invariants are checked.
/// The run ends by healing everything and settling, so predecessor learning is always checked at least once.
/// Stops at the first broken invariant.
/// </summary>
public static class SimulationRunner
{
    public static SimulationResult Run(SimulationSettings settings, int seed, ISchedule? schedule = null, TextWriter? trace = null)
    {
        var recorder = new TraceRecorder(trace);
        var ring = new SimulatedRing(settings, seed, recorder);
        var run = new RunState(ring);
        schedule ??= new ChaosSchedule();
        string? failure;
        try
        {
            failure = run.Execute(schedule);
        }
        catch (Exception e)
        {
            failure = $"step {run.Step} at t={ring.Clock.Elapsed.TotalSeconds:0.000} s after '{run.LastOperation}': unhandled {e.GetType().Name}: {e.Message}";
        }
        if (failure is not null)
            recorder.Record($"FAILED {failure}", ring.Clock.Elapsed);
        return new SimulationResult(seed, failure, recorder.Hash, recorder.Entries, run.Step, run.Checks, run.PredecessorChecks,
            run.Crashes, ring.Clock.Elapsed, ring.Network.Statistics)
        {
            Files = new FileTally(ring.Files.StoresStarted, ring.Files.Stored.Count, ring.Files.Lost, run.AwaitingTakeOver,
                ring.Files.FetchesStarted, ring.Files.Fetched, run.FileChecks),
        };
    }

    private sealed class RunState(SimulatedRing ring)
    {
        private TimeSpan? _calmSince;

        public int Step { get; private set; }
        public string LastOperation { get; private set; } = "start";
        public int Checks { get; private set; }
        public int PredecessorChecks { get; private set; }
        public int Crashes { get; private set; }
        public int FileChecks { get; private set; }
        public int AwaitingTakeOver { get; private set; }

        public string? Execute(ISchedule schedule)
        {
            var settings = ring.Settings;
            ring.Record($"init ring of {settings.Peers} peers, {ring.Space}, codec {(settings.UseCodec ? "on" : "off")}, " +
                $"at most {FaultBudget.MaxAdjacentDown(settings)} adjacent member(s) down before repair");
            ring.StartAll();
            ring.Clock.RunFor(settings.SettleTime);
            _calmSince = TimeSpan.Zero;
            if (Check() is { } failure)
                return failure;
            for (Step = 1; Step <= settings.Steps; Step++)
            {
                if (Apply(schedule.Next(ring, Step), settings.StepLength) is { } stepFailure)
                    return stepFailure;
            }
            return Apply(new HealEverything(), settings.SettleTime);
        }

        private string? Apply(ISimulationOperation operation, TimeSpan runFor)
        {
            LastOperation = operation.ToString()!;
            ring.Record(LastOperation);
            operation.Apply(ring);
            Crashes += operation is CrashPeer ? 1 : 0;
            ring.Clock.RunDue();
            if (!ring.IsCalm)
                _calmSince = null;
            else
                _calmSince ??= ring.Clock.Elapsed;
            ring.Clock.RunFor(runFor);
            return Check();
        }

        private string? Check()
        {
            Checks++;
            var live = ring.LiveSnapshots();
            var violations = ring.TakeProblems().Select(p => new InvariantViolation("NoErrors", p))
                .Concat(RingInvariants.Check(ring.Space, live))
                .ToList();
            if (_calmSince is { } since && ring.Clock.Elapsed - since >= ring.Settings.SettleTime)
            {
                PredecessorChecks++;
                violations.AddRange(PredecessorInvariant.Check(live));
                violations.AddRange(CheckFiles());
            }
            if (violations.Count == 0)
                return null;
            var shown = string.Join("; ", violations.Take(3)) + (violations.Count > 3 ? $"; and {violations.Count - 3} more" : "");
            return $"step {Step} at t={ring.Clock.Elapsed.TotalSeconds:0.000} s after '{LastOperation}': {shown}";
        }

        private IReadOnlyList<InvariantViolation> CheckFiles()
        {
            FileChecks++;
            var check = FileInvariant.Check(ring.Members(), ring.Files.Stored, (id, name) => ring[id].StoredContent(name));
            AwaitingTakeOver = check.AwaitingTakeOver;
            return check.Violations;
        }
    }
}
