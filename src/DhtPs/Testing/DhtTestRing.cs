using System.Collections;
using System.Management.Automation;
using DhtPs.Core.Diagnostics;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Hosting;

namespace DhtPs.Testing;

/// <summary>
/// A ring started for a test (New-DhtTestRing): its members on free ports, a data folder per member under one root,
/// and a way to kill and restart a member. In-process members are peers of this session (jobs DhtPeer(id));
/// with -Process each member runs in a pwsh process of its own, so a kill is a real SIGKILL.
/// Remove-DhtTestRing stops everything and deletes the data.
/// </summary>
public sealed class DhtTestRing
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    private readonly TestRingHost? _host;
    private readonly Hashtable _peerParameters;
    private readonly TimeSpan _timeout;
    private readonly IReadOnlyList<DhtTestRingMember> _members;
    private readonly Dictionary<ulong, List<DhtPeerJob>> _jobs = [];
    private int _starts;

    private DhtTestRing(IReadOnlyList<ulong> ids, int idBits, Hashtable peerParameters, TestRingHost? host, string dataRoot, TimeSpan timeout)
    {
        Number = TestRingRegistry.NextNumber();
        IdBits = idBits;
        _peerParameters = peerParameters;
        _host = host;
        _timeout = timeout;
        DataRoot = dataRoot;
        var ports = FreePorts.Take(ids.Count);
        _members = ids.Select((id, i) => new DhtTestRingMember(id, ports[i], Path.Combine(dataRoot, $"peer{id}"),
            host is null ? null : Path.Combine(dataRoot, $"peer{id}.log"))).ToArray();
    }

    /// <summary>This session's number for the ring (1 for the first one made).</summary>
    public int Number { get; }

    /// <summary>The members, in identifier order, running or not.</summary>
    public IReadOnlyList<DhtTestRingMember> Members => _members;

    public IReadOnlyList<ulong> MemberIds => [.. _members.Select(m => m.Id)];

    public int IdBits { get; }

    /// <summary>True when each member runs in a pwsh process of its own.</summary>
    public bool IsProcess => _host is not null;

    /// <summary>The folder that holds every member's data folder (and, with -Process, their logs).</summary>
    public string DataRoot { get; }

    /// <summary>The contact of the first running member: where Get-DhtRing, Test-DhtRing and Wait-DhtRing walk from when the ring is piped to them.</summary>
    public string? Via => _members.FirstOrDefault(m => m.IsRunning)?.Contact;

    public bool IsRemoved { get; private set; }

    /// <summary>$ring[4]: the member with id 4, whose string form is its contact (id@host:port), as -KnownPeer takes it.</summary>
    public DhtTestRingMember this[ulong id] => Member(id);

    public DhtTestRingMember Member(ulong id) =>
        _members.FirstOrDefault(m => m.Id == id) ?? throw new ArgumentException($"Peer {id} is not a member of test ring {Number} ({string.Join(", ", MemberIds)}).", nameof(id));

    public override string ToString() => $"Test ring {Number}: {string.Join(", ", MemberIds)}{(IsProcess ? " (processes)" : "")}";

    /// <summary>
    /// Where a file is on disk: which running members should hold it (its key's owner) and which members' data folders do.
    /// </summary>
    public FileHolding CheckFile(string name)
    {
        if (!FileName.IsSafe(name))
            throw new ArgumentException($"'{name}' is not a safe file name.", nameof(name));
        return FileHolding.Check(name, new IdSpace(IdBits), [.. _members.Where(m => m.IsRunning).Select(m => m.Id)],
            id => File.Exists(Path.Combine(Member(id).DataPath, name)));
    }

    /// <summary>Starts the ring and waits until it is formed; on failure everything started is removed again.</summary>
    internal static DhtTestRing Start(
        IReadOnlyList<ulong> ids, int idBits, Hashtable peerParameters, TestRingHost? host, string dataParent, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var root = Path.Combine(dataParent, $"dhtps-test-ring-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var ring = new DhtTestRing([.. ids.Distinct().Order()], idBits, peerParameters, host, root, timeout);
        TestRingRegistry.Add(ring);
        try
        {
            if (ring.IsProcess)
                ring.StartProcesses(cancellationToken);
            else
                ring.StartInProcess();
            var formed = PipelineWait.Result(ring.WaitFormedAsync(cancellationToken), cancellationToken);
            if (!formed.Matched)
                throw new TimeoutException($"{ring} did not form within {timeout.TotalSeconds:0.###} s:{Environment.NewLine}{formed.Comparison.SideBySide()}{ring.ProcessLogs()}");
            return ring;
        }
        catch
        {
            ring.Remove(jobs: null);
            throw;
        }
    }

    /// <summary>Kills a member: abruptly in this process, SIGKILL with -Process. Its data folder stays for a restart.</summary>
    public void Kill(ulong id)
    {
        var member = Member(id);
        if (IsProcess)
            member.Process?.Kill(ExitWait);
        else if (PeerRegistry.TryGet(id, out var job) && OwnJob(id, job))
            PeerRegistry.StopAsync(job, abrupt: true).Wait(ExitWait);
    }

    /// <summary>
    /// Starts a member again on its port with its data folder, joining the ring through another running member
    /// (killing it first if it still runs). Returns once it has joined; Wait-DhtRing waits for the ring to settle.
    /// </summary>
    public DhtTestRingMember Restart(ulong id)
    {
        var member = Member(id);
        if (member.IsRunning)
            Kill(id);
        var known = _members.FirstOrDefault(m => m.Id != id && m.IsRunning);
        var parameters = ParametersFor(member);
        if (known is not null)
        {
            parameters["KnownPeer"] = known.Contact;
            parameters["JoinTimeout"] = _timeout.TotalSeconds;
        }
        if (IsProcess)
        {
            StartProcess(member, parameters);
            WaitReady([member], CancellationToken.None);
        }
        else
        {
            foreach (var old in _jobs.GetValueOrDefault(id) ?? [])
                SessionCommand.Invoke(@"Microsoft.PowerShell.Core\Remove-Job", new Hashtable { ["Job"] = old, ["Force"] = true });
            _jobs.Remove(id);
            StartInProcess(member, parameters);
        }
        return member;
    }

    /// <summary>Stops every member, removes their jobs from <paramref name="jobs"/> and deletes the data root. Safe to repeat.</summary>
    /// <returns>What could not be cleaned up.</returns>
    internal IReadOnlyList<string> Remove(JobRepository? jobs)
    {
        var problems = new List<string>();
        foreach (var member in _members)
        {
            if (member.Process is { } process)
            {
                process.Kill(ExitWait);
                if (!process.HasExited)
                    problems.Add($"Peer process {process.Id} of peer {member.Id} did not exit.");
                member.Process = null;
            }
        }
        foreach (var job in _jobs.Values.SelectMany(j => j))
        {
            if (PeerRegistry.TryGet(job.Peer.Id, out var running) && ReferenceEquals(running, job))
                PeerRegistry.StopAsync(job, abrupt: true).Wait(ExitWait);
            RemoveJob(jobs, job);
        }
        _jobs.Clear();
        if (DeleteWithRetries(DataRoot) is { } failure)
            problems.Add(failure);
        IsRemoved = true;
        TestRingRegistry.Remove(this);
        return problems;
    }

    private void StartInProcess()
    {
        var n = _members.Count;
        for (var i = 0; i < n; i++)
        {
            var parameters = ParametersFor(_members[i]);
            // The init form (SPEC §2): each member knows its next two, as the original ring was started.
            if (n > 1)
                parameters["FirstSuccessor"] = _members[(i + 1) % n].Contact;
            if (n > 2)
                parameters["SecondSuccessor"] = _members[(i + 2) % n].Contact;
            StartInProcess(_members[i], parameters);
        }
    }

    private void StartInProcess(DhtTestRingMember member, Hashtable parameters)
    {
        SessionCommand.Invoke(@"DhtPs\Start-DhtPeer", parameters);
        if (PeerRegistry.TryGet(member.Id, out var job))
            (_jobs.TryGetValue(member.Id, out var list) ? list : _jobs[member.Id] = []).Add(job);
    }

    /// <summary>
    /// The first member starts alone; once it runs, the others join through it all at once, as peers started in
    /// separate processes would (the init form would have early members declare late ones dead while pwsh starts).
    /// </summary>
    private void StartProcesses(CancellationToken cancellationToken)
    {
        var first = _members[0];
        StartProcess(first, ParametersFor(first));
        WaitReady([first], cancellationToken);
        var joiners = _members.Skip(1).ToArray();
        foreach (var member in joiners)
        {
            var parameters = ParametersFor(member);
            parameters["KnownPeer"] = first.Contact;
            parameters["JoinTimeout"] = _timeout.TotalSeconds;
            StartProcess(member, parameters);
        }
        WaitReady(joiners, cancellationToken);
    }

    private void StartProcess(DhtTestRingMember member, Hashtable parameters)
    {
        var path = Path.Combine(DataRoot, $"peer{member.Id}.start{Interlocked.Increment(ref _starts)}.clixml");
        File.WriteAllText(path, PSSerializer.Serialize(parameters));
        member.Process = PeerProcess.Start(_host!, path, member.LogPath!);
    }

    private void WaitReady(IReadOnlyList<DhtTestRingMember> members, CancellationToken cancellationToken)
    {
        var ready = Task.WhenAll(members.Select(m => m.Process!.Ready)).WaitAsync(_timeout, cancellationToken);
        try
        {
            PipelineWait.Result(ready.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Peer processes did not start within {_timeout.TotalSeconds:0.###} s.{ProcessLogs()}");
        }
    }

    /// <summary>What Start-DhtPeer gets for a member: the ring's pass-through parameters plus the member's id, port and data folder.</summary>
    private Hashtable ParametersFor(DhtTestRingMember member)
    {
        var parameters = new Hashtable(_peerParameters, StringComparer.OrdinalIgnoreCase)
        {
            ["Id"] = member.Id,
            ["Port"] = member.Port,
            ["DataPath"] = member.DataPath,
        };
        return parameters;
    }

    private Task<RingWaitResult> WaitFormedAsync(CancellationToken cancellationToken) =>
        RingWaiter.WaitAsync(InspectAsync, RingExpectation.OfMembers(MemberIds), _timeout, PollInterval, cancellationToken: cancellationToken);

    /// <summary>One walk from the first running member, from outside the ring (the session may run no peer).</summary>
    internal async Task<DhtRingReport> InspectAsync(CancellationToken cancellationToken)
    {
        var start = _members.FirstOrDefault(m => m.IsRunning) ?? _members[0];
        var walk = await RingWalker.WalkFromOutsideAsync(
            PeerLocator.Parse(start.Contact).EndPoint, new IdSpace(IdBits), AnswerTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        return RingHealthCheck.Inspect(walk, start.Contact, DateTimeOffset.Now);
    }

    /// <summary>A test may have removed the job itself (Remove-Job, Stop-TestRing): nothing is left to remove then.</summary>
    private static void RemoveJob(JobRepository? jobs, DhtPeerJob job)
    {
        try
        {
            jobs?.Remove(job);
        }
        catch (ArgumentException)
        {
        }
    }

    private bool OwnJob(ulong id, DhtPeerJob job) => _jobs.GetValueOrDefault(id)?.Contains(job) == true;

    private string ProcessLogs() => IsProcess
        ? string.Concat(_members.Where(m => m.Process is not null).Select(m =>
            $"{Environment.NewLine}Peer {m.Id} ({(m.IsRunning ? "running" : "exited")}), {m.LogPath}:{Environment.NewLine}{m.Process!.Tail(8)}"))
        : "";

    private static string? DeleteWithRetries(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                    Directory.Delete(path, recursive: true);
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 5)
                    return $"The data folder {path} could not be deleted: {e.Message}";
                Thread.Sleep(100 * attempt);
            }
        }
    }
}
