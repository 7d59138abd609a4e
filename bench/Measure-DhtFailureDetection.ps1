<#
.SYNOPSIS
    Failure detection on real loopback sockets (issue 13): the time from a SIGKILL to the repair, false evictions under
    injected datagram loss, and the flap of a ring that mixes 1 s and 30 s ping intervals after a kill.
.DESCRIPTION
    Loss: a New-DhtTestRing of -Peers members, each losing -LossRate of the datagrams it sends
    (Start-DhtPeer -FaultInjection, seeded), runs -Minutes; it reports every "is no longer alive" (each is a false
    eviction: nobody is killed) and how many pings were answered. The ping events are read from each peer's job every
    20 s (its ping buffer keeps the latest 1000) and de-duplicated, so none is missed.
    Kill: a New-DhtTestRing -Process of -Peers members (one pwsh process each) at -PingInterval; -Kills times a member
    is killed with SIGKILL (rotating), and every member that listed it as a successor is asked (Get-DhtRing -Via it,
    every 50 ms) until its list is full again without the killed one; that time, in ping intervals, is one sample.
    The member is then restarted (it rejoins) and the ring left to settle (Wait-DhtRing) before the next kill.
    MixedFlap: -Peers peers in this process with explicit init successors, alternately at 1 s and 30 s, then the fourth
    (fast, after a slow one after a fast one) is killed; for -ObserveSeconds it counts how often its fast second
    predecessor declares it dead and takes it back ("My new second successor is Peer N").
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtFailureDetection.ps1 -Scenario Loss -Minutes 5 -Peers 8 -LossRate 0.05
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtFailureDetection.ps1 -Scenario MixedFlap -ObserveSeconds 60
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtFailureDetection.ps1 -Scenario Kill -Kills 20 -Peers 8
#>
[CmdletBinding()]
param(
    [ValidateSet('Loss', 'MixedFlap', 'Kill')] [string] $Scenario = 'Loss',
    [int] $Kills = 20,
    [int] $Peers = 8,
    [double] $Minutes = 5,
    [double] $LossRate = 0.05,
    [double] $PingInterval = 1,
    [int] $Seed = 13,
    [double] $ObserveSeconds = 60
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1') -Force
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1') -Force

function Get-Event([ulong] $Id) { @(Receive-Job -Name "DhtPeer$Id" -Keep -ErrorAction Ignore -WarningAction Ignore) }

if ($Scenario -eq 'Loss') {
    $faults = @{ DatagramLossRate = $LossRate; Seed = $Seed }
    $ring = New-DhtTestRing $Peers -PingInterval $PingInterval -PeerParameter @{ FaultInjection = $faults }
    $ids = $ring.Members.Id
    $started = [DateTimeOffset]::UtcNow
    $pings = @{}
    $deadline = $started.AddMinutes($Minutes)
    while ([DateTimeOffset]::UtcNow -lt $deadline) {
        Start-Sleep -Seconds ([Math]::Min(20, [Math]::Max(0.1, ($deadline - [DateTimeOffset]::UtcNow).TotalSeconds)))
        foreach ($id in $ids) {
            foreach ($e in (Get-Job -Name "DhtPeer$id").Pings) { $pings["$id|$($e.Time.UtcTicks)|$($e.Kind)|$($e.Message)"] = $e }
        }
    }
    $events = $pings.Values | Where-Object Time -GT $started
    $rounds = @($events | Where-Object { "$($_.Kind)" -eq 'PingRequestsSent' })
    $sent = ($rounds | ForEach-Object { ([regex]::Matches($_.Message, '\d+')).Count } | Measure-Object -Sum).Sum
    $answered = @($events | Where-Object { "$($_.Kind)" -eq 'PingResponseReceived' }).Count
    $evictions = @(foreach ($id in $ids) { Get-Event $id | Where-Object { "$($_.Kind)" -eq 'SuccessorDead' -and $_.Time -gt $started } })
    $healthy = (@((Get-DhtRing).Id | Sort-Object) -join ',') -eq (@($ids | Sort-Object) -join ',')
    Remove-DhtTestRing
    '{0} peers, ping interval {1} s, {2:P0} of sent datagrams lost (seed {3}), {4} min: {5} false evictions; {6} pings in {7} rounds, {8} answered ({9:P1}); ring whole at the end: {10}' -f `
        $Peers, $PingInterval, $LossRate, $Seed, $Minutes, $evictions.Count, $sent, $rounds.Count, $answered, ($answered / [Math]::Max(1, $sent)), [bool]$healthy
    foreach ($e in $evictions) { "  peer $($e.PeerId) at $($e.Time.ToString('HH:mm:ss.fff')): $($e.Message)" }
    return
}

if ($Scenario -eq 'Kill') {
    $ring = New-DhtTestRing $Peers -Process -PingInterval $PingInterval
    $ids = @($ring.Members.Id)
    $samples = [Collections.Generic.List[double]]::new()
    $late = 0
    try {
        for ($k = 0; $k -lt $Kills; $k++) {
            $victim = $ids[($k * 3) % $ids.Count]
            $before = @(Get-DhtRing -Via ($ring.Members | Where-Object Id -NE $victim | Select-Object -First 1).Via)
            $listing = @($before | Where-Object { $_.Successors -contains $victim } | ForEach-Object { "$($_.Id)@$($_.EndPoint)" })
            $ring.Kill($victim)
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $repaired = $false
            while (-not $repaired -and $clock.Elapsed.TotalSeconds -lt 30 * $PingInterval) {
                Start-Sleep -Milliseconds 50
                $repaired = $true
                foreach ($via in $listing) {
                    $self = @(Get-DhtRing -Via $via -Timeout 0.5 -ErrorAction SilentlyContinue) | Select-Object -First 1
                    if (-not $self -or $self.Successors -contains $victim -or $self.Successors.Count -lt 2) { $repaired = $false; break }
                }
            }
            if ($repaired) { $samples.Add($clock.Elapsed.TotalSeconds / $PingInterval) } else { $late++ }
            '  kill {0,2} of peer {1,3}: {2} (neighbours {3})' -f ($k + 1), $victim, $(if ($repaired) { '{0:0.00} intervals' -f $samples[-1] } else { 'not repaired in 30 intervals' }), ($listing -join ', ')
            $ring.Restart($victim) | Out-Null
            Wait-DhtRing -Via ($ring.Members | Select-Object -First 1).Via -Count $ids.Count -Timeout 60 | Out-Null
        }
    }
    finally { Remove-DhtTestRing }
    $sorted = @($samples | Sort-Object)
    $p50 = if ($sorted.Count) { $sorted[[int][Math]::Ceiling(0.5 * $sorted.Count) - 1] } else { [double]::NaN }
    '{0} peers in {0} processes at {1} s: {2} SIGKILLs, time to every neighbour''s repair in ping intervals: p50 {3:0.00}, min {4:0.00}, max {5:0.00}; {6} not repaired within 30 intervals' -f `
        $Peers, $PingInterval, $Kills, $p50, ($sorted | Select-Object -First 1), ($sorted | Select-Object -Last 1), $late
    return
}

# MixedFlap: an init ring of explicit successors, 1 s and 30 s alternating (every second peer slow).
$space = 256
$ids = [ulong[]]@(0..($Peers - 1) | ForEach-Object { [ulong](($space * (2 * $_ + 1)) / (2 * $Peers)) })
$ports = Get-FreePort -Count $Peers
$data = Join-Path ([IO.Path]::GetTempPath()) "dhtps-flap-$([guid]::NewGuid().ToString('N'))"
for ($i = 0; $i -lt $Peers; $i++) {
    $next = ($i + 1) % $Peers; $after = ($i + 2) % $Peers
    $interval = if ($i % 2 -eq 1) { 30 } else { 1 }
    Start-DhtPeer -Id $ids[$i] -Port $ports[$i] -PingInterval $interval -DataPath (Join-Path $data $ids[$i]) `
        -FirstSuccessor "$($ids[$next])@127.0.0.1:$($ports[$next])" -SecondSuccessor "$($ids[$after])@127.0.0.1:$($ports[$after])" | Out-Null
}
$victim = $ids[4]; $slow = $ids[3]; $fast = $ids[2]
# Two slow rounds: every slow peer has pinged twice and every list is the init one.
Wait-Condition -TimeoutSeconds 90 -Because 'the ring ran two slow ping rounds' -Condition {
    @((Get-Job -Name "DhtPeer$slow").Pings | Where-Object { "$($_.Kind)" -eq 'PingRequestsSent' }).Count -ge 2
}
$killed = [DateTimeOffset]::UtcNow
Stop-DhtPeer -Id $victim -Abrupt -Confirm:$false
Start-Sleep -Seconds $ObserveSeconds
$story = @(Get-Event $fast | Where-Object { $_.Time -gt $killed -and $_.RemotePeerId -eq $victim })
$declared = @($story | Where-Object { "$($_.Kind)" -eq 'SuccessorDead' })
$takenBack = @($story | Where-Object { "$($_.Kind)" -eq 'SuccessorChanged' })
$slowDeclared = @(Get-Event $slow | Where-Object { $_.Time -gt $killed -and "$($_.Kind)" -eq 'SuccessorDead' -and $_.RemotePeerId -eq $victim })
Get-DhtPeer | Stop-DhtPeer -Abrupt -Confirm:$false
Remove-Item $data -Recurse -Force -ErrorAction Ignore
'{0} peers, 1 s and 30 s alternating; peer {1} killed; over {2} s its fast second predecessor {3} declared it dead {4} times and took it back {5} times; its slow first predecessor {6} declared it dead {7}' -f `
    $Peers, $victim, $ObserveSeconds, $fast, $declared.Count, $takenBack.Count, $slow, $(if ($slowDeclared) { "after {0:0.0} s" -f ($slowDeclared[0].Time - $killed).TotalSeconds } else { 'not within the window' })
foreach ($e in $story) { '  +{0,5:0.0} s {1}' -f ($e.Time - $killed).TotalSeconds, $e.Message }
