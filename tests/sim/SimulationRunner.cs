using DhtPs.Simulation.Files;
using DhtPs.Simulation.Invariants;
using DhtPs.Simulation.Operations;
using DhtPs.Simulation.Schedules;

namespace DhtPs.Simulation;

/// <summary>
/// Runs one seed: the init ring forms, then each step applies one operation and runs the clock for a step,
/// and at the quiescent point that follows (nothing left due at this instant) the invariants are checked.
/// The run ends by healing everything and settling, so the calm invariants (predecessor learning, every member on
/// the ring) are always checked at least once.
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
            Files = new FileTally(ring.Files.StoresStarted, ring.Files.StoresAcknowledged, ring.Files.Lost, run.AwaitingTakeOver,
                ring.Files.FetchesStarted, ring.Files.Fetched, run.FileChecks, ring.Files.Overwrites, ring.Files.Removes, ring.Files.StaleServed),
            Joins = run.Joins,
            Leaves = run.Leaves,
            Kills = run.Kills,
            Readoptions = ring.Readoptions.Found,
            Availability = ring.Files.Availability,
        };
    }

    private sealed class RunState(SimulatedRing ring)
    {
        private TimeSpan? _calmSince;
        private bool _checkedCalm;

        public int Step { get; private set; }
        public string LastOperation { get; private set; } = "start";
        public int Checks { get; private set; }
        public int PredecessorChecks { get; private set; }
        public int Crashes { get; private set; }
        public int FileChecks { get; private set; }
        public int AwaitingTakeOver { get; private set; }
        public int Joins { get; private set; }
        public int Leaves { get; private set; }
        public int Kills { get; private set; }

        public string? Execute(ISchedule schedule)
        {
            var settings = ring.Settings;
            ring.Record($"init ring of {settings.Peers} peers, {ring.Space}, codec {(settings.UseCodec ? "on" : "off")}, {FaultBudget.Describe(settings)}");
            ring.StartAll();
            ring.Clock.RunFor(settings.SettleTime);
            _calmSince = TimeSpan.Zero;
            if (Check() is { } failure)
                return failure;
            if (settings.InitialFiles > 0 && StoreInitialFiles() is { } storeFailure)
                return storeFailure;
            for (Step = 1; Step <= settings.Steps; Step++)
            {
                if (settings.InitialFiles > 0 && RequestFile.Random(ring) is { } fetch)
                {
                    ring.Record(fetch.ToString()!);
                    fetch.Apply(ring);
                }
                if (Apply(schedule.Next(ring, Step), settings.StepLength) is { } stepFailure)
                    return stepFailure;
            }
            var healFailure = Apply(new HealEverything(), settings.SettleTime);
            if (healFailure is null && !_checkedCalm)
                healFailure = Apply(new Wait(), settings.SettleTime); // A join or a departure was still under way when everything healed: settle again.
            return healFailure ?? (settings.ReplicationFactor > 1 ? FetchEveryFileWhenCalm() : null);
        }

        /// <summary>The settled init ring stores <see cref="SimulationSettings.InitialFiles"/> files, each from a random live peer.</summary>
        private string? StoreInitialFiles()
        {
            for (var i = 0; i < ring.Settings.InitialFiles; i++)
            {
                if (StoreFile.Random(ring) is { } store)
                {
                    ring.Record(store.ToString()!);
                    store.Apply(ring);
                }
            }
            LastOperation = $"store {ring.Settings.InitialFiles} files";
            ring.Clock.RunFor(StoreFile.Timeout * 2);
            return Check();
        }

        /// <summary>
        /// Availability once calm: every acknowledged file not lost is fetched once, from a random live member, and every
        /// fetch must succeed.
        /// </summary>
        private string? FetchEveryFileWhenCalm()
        {
            var before = ring.Files.Availability;
            var members = ring.Members();
            var kept = ring.Files.Stored.Where(f => !f.IsLost && !f.Removed).ToArray();
            foreach (var file in kept)
                new RequestFile(members[ring.Random.Next(members.Count)], file.Name).Apply(ring);
            ring.Clock.RunFor(RequestFile.Timeout * 2);
            var after = ring.Files.Availability;
            var failed = (after.CalmStarted - before.CalmStarted) - (after.CalmSucceeded - before.CalmSucceeded);
            LastOperation = $"fetch each of the {kept.Length} kept files once, calm";
            ring.Record(LastOperation);
            return failed == 0 && after.CalmStarted - before.CalmStarted == kept.Length
                ? Check()
                : $"step {Step} at t={ring.Clock.Elapsed.TotalSeconds:0.000} s after '{LastOperation}': FetchWhenCalm: {failed} of {kept.Length} fetches failed";
        }

        private string? Apply(ISimulationOperation operation, TimeSpan runFor)
        {
            LastOperation = operation.ToString()!;
            ring.Record(LastOperation);
            if (operation is not (Wait or StoreFile or RequestFile or RemoveFile))
                ring.Disturbances++;
            operation.Apply(ring);
            Count(operation);
            ring.Clock.RunDue();
            // A member that left or was killed does not disturb the calm, yet its repair must settle like any fault's.
            if (!ring.IsCalm || operation is LeavePeer or KillPeer)
                _calmSince = null;
            if (ring.IsCalm)
                _calmSince ??= ring.Clock.Elapsed;
            ring.Clock.RunFor(runFor);
            return Check();
        }

        private void Count(ISimulationOperation operation)
        {
            switch (operation)
            {
                case CrashPeer: Crashes++; break;
                case JoinPeer: Joins++; break;
                case LeavePeer: Leaves++; break;
                case KillPeer: Kills++; break;
            }
        }

        private string? Check()
        {
            Checks++;
            ring.GiveUpFailedJoins();
            var live = ring.LiveSnapshots();
            var violations = ring.TakeProblems().Select(p => new InvariantViolation("NoErrors", p))
                .Concat(RingInvariants.Check(ring.Space, live))
                .Concat(ring.Settings.RequireDeadStayDead ? ring.Readoptions.Violations() : [])
                .ToList();
            _checkedCalm = _calmSince is { } since && ring.Clock.Elapsed - since >= ring.Settings.SettleTime;
            ring.Settled = _checkedCalm && ring.IsCalm;
            if (_checkedCalm)
            {
                PredecessorChecks++;
                if (ring.Settings.CheckPredecessorLearning)
                    violations.AddRange(PredecessorInvariant.Check(live, ring.Settings.SuccessorListLength));
                violations.AddRange(MembershipInvariant.Check(live, ring.Gone));
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
            if (ring.Settings.ReplicationFactor > 1)
                return FileInvariant.CheckReplicas(ring.Members(), [.. ring.Peers.Where(p => p.IsUp).Select(p => p.Id)], ring.Files,
                    (id, name) => ring[id].StoredContent(name), ring.Settings.ReplicationFactor);
            var check = FileInvariant.Check(ring.Members(), ring.Files.Stored, (id, name) => ring[id].StoredContent(name),
                id => ring[id].Joining is not null);
            AwaitingTakeOver = check.AwaitingTakeOver;
            return check.Violations;
        }
    }
}
