<#
.SYNOPSIS
    Issue 12's scale figures: -Peers peers in this one pwsh at a -PingInterval, on loopback. Writes one object: the
    time until the ring is stable, the working set, the cores burnt while idle, and whether lookups from random peers
    named the right owners.
.DESCRIPTION
    "Stable" is New-DhtTestRing's own condition: every member lists its true successors and predecessors. Idle is
    -IdleSeconds of wall time, -SettleSeconds after that (finger tables fill), with nothing asked of the ring; the cores are the process's CPU time over it
    (all threads), so pinging, finger upkeep and stabilization are what it measures. Each lookup starts at a random
    member and resolves a random key; the owner it names is checked against the sorted ids.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtScale.ps1 -Peers 1000 -PingInterval 1
#>
[CmdletBinding()]
param(
    [int] $Peers = 1000,
    [int] $IdBits = 16,
    [double] $PingInterval = 1,
    [int] $IdleSeconds = 20,
    # Seconds to let finger upkeep fill the tables after the ring is stable, before idle is measured.
    [int] $SettleSeconds = 30,
    # Passed to every member's Start-DhtPeer (e.g. @{ ReplicationFactor = 1 }).
    [hashtable] $PeerParameter = @{},
    [int] $Lookups = 50,
    [int] $Seed = 1,
    # The module to measure; another build's DhtPs.psd1 measures that build side by side in one session.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../DhtPs.psd1')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1')

$process = [System.Diagnostics.Process]::GetCurrentProcess()
$random = [System.Random]::new($Seed)
$space = [DhtPs.Core.Ring.IdSpace]::new($IdBits)
$root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-scale-$([guid]::NewGuid().ToString('N'))"
try {
    $start = [System.Diagnostics.Stopwatch]::StartNew()
    $ring = New-DhtTestRing -Count $Peers -IdBits $IdBits -PingInterval $PingInterval -DataRoot $root -Timeout 300 -PeerParameter $PeerParameter
    $stable = $start.Elapsed.TotalSeconds
    $ids = [ulong[]]$ring.MemberIds

    [System.Threading.Thread]::Sleep([TimeSpan]::FromSeconds($SettleSeconds))
    [GC]::Collect()
    $process.Refresh()
    $cpuBefore = $process.TotalProcessorTime
    $gcPauseBefore = [GC]::GetTotalPauseDuration()
    $gcBefore = 0..2 | ForEach-Object { [GC]::CollectionCount($_) }
    $idle = [System.Diagnostics.Stopwatch]::StartNew()
    # Idle means idle: nothing runs in this runspace while the peers keep their ring.
    [System.Threading.Thread]::Sleep([TimeSpan]::FromSeconds($IdleSeconds))
    $process.Refresh()
    $idleCores = ($process.TotalProcessorTime - $cpuBefore).TotalSeconds / $idle.Elapsed.TotalSeconds
    # The share of the idle wall time the GC held the threads paused, and the collections per generation meanwhile.
    $gcPause = ([GC]::GetTotalPauseDuration() - $gcPauseBefore).TotalSeconds / $idle.Elapsed.TotalSeconds
    $gcCounts = (0..2 | ForEach-Object { [GC]::CollectionCount($_) - $gcBefore[$_] }) -join '/'
    $workingSet = $process.WorkingSet64 / 1MB
    # Descriptors held while idle (sockets of both ends: every member of the ring lives in this process).
    $openFiles = if (Test-Path /proc/self/fd) { @(Get-ChildItem /proc/self/fd -ErrorAction Ignore).Count } else { -1 }
    $threads = $process.Threads.Count

    $right = 0
    $hops = 0
    for ($i = 0; $i -lt $Lookups; $i++) {
        $key = [ulong]$random.NextInt64([long]$space.MaxId + 1)
        $via = $ids[$random.Next($ids.Count)]
        $owner = Resolve-DhtKey -Key $key -Via $via
        if ($owner.Owner -eq $space.SuccessorOf($key, $ids)) { $right++ }
        $hops += $owner.Hops
    }

    [pscustomobject]@{
        Peers            = $Peers
        PingInterval     = $PingInterval
        StableSeconds    = [math]::Round($stable, 1)
        WorkingSetMiB    = [math]::Round($workingSet)
        OpenFiles        = $openFiles
        Threads          = $threads
        IdleCores        = [math]::Round($idleCores, 3)
        IdleSeconds      = $IdleSeconds
        IdleGcPause      = [math]::Round($gcPause, 3)
        IdleGcGen012     = $gcCounts
        Successors       = @(Get-DhtPeer -Id $ids[0]).Successors.Count
        LookupsRight     = "$right of $Lookups"
        LookupHopsMean   = [math]::Round($hops / $Lookups, 2)
        Load             = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'unknown' }
    }
}
finally {
    Stop-TestRing
    Remove-DhtTestRing -ErrorAction Ignore
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
