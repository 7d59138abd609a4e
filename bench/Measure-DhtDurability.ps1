<#
.SYNOPSIS
    Issue 11's long run on real loopback sockets: a ring of -Peers members holding -Files files goes through -Events
    random events (join, graceful leave, kill within the fault budget, restart from the data path), then every file is
    fetched and compared.
.DESCRIPTION
    The members run in this pwsh (New-DhtTestRing, r = 3 by default). One event at a time, each followed by the wait for
    the ring to be healthy again with every file on its holders (Test-DhtRing, files included); a kill is an abrupt stop
    (Stop-DhtPeer -Abrupt: no hand-off, the data path stays) of one member, so at most one member is down between
    repairs (within the r - 1 budget); a restart brings the longest-dead member back from its data path with its id.
    Reported: files lost (not fetched), files corrupted (fetched with other bytes), the time from each kill to r copies
    of every file again (p50/p99), and the repair traffic (file bytes the peers sent to each other during the events,
    from Get-DhtPeer -Statistics, minus nothing: stores happen before the events).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtDurability.ps1 -Peers 32 -Files 5000 -Events 1000
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtDurability.ps1 -Peers 32 -Files 300 -Events 30
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtDurability.ps1 -Peers 32 -Files 5000 -Events 1000 -MaxMinutes 60
    The issue's ring and files, as many events as an hour allows.
#>
[CmdletBinding()]
param(
    [int] $Peers = 32,
    [int] $Files = 5000,
    [int] $Events = 1000,
    [int] $MaxFileSize = 64 * 1024,
    [int] $Seed = 11,
    [double] $SettleSeconds = 120,
    # A time budget for the events: none is started after it, and the report gives how many ran.
    [double] $MaxMinutes = [double]::PositiveInfinity
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1') -Force
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1') -Force

function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant() }

function Get-Percentile([double[]] $Values, [double] $P) {
    if ($Values.Count -eq 0) { return [double]::NaN }
    $sorted = [double[]]@($Values | Sort-Object)
    $sorted[[Math]::Min($sorted.Count - 1, [Math]::Ceiling($P * $sorted.Count) - 1)]
}

# The ring is whole and every file has its r copies, at one version, on its holders (a bounded wait).
function Wait-Whole([ulong] $Via, [int] $Members, [string] $After = 'the stores') {
    $deadline = [DateTime]::UtcNow.AddSeconds($SettleSeconds)
    $report = $null
    while ([DateTime]::UtcNow -lt $deadline) {
        $checking = [Diagnostics.Stopwatch]::StartNew()
        $report = Test-DhtRing -Via $Via -ErrorAction SilentlyContinue
        if ($report -and $report.IsHealthy -and $report.Members.Count -eq $Members -and $report.Files.Count -eq $Files) { return $true }
        # As long again before the next check: listing 15,000 copies took 0.5-1.6 s here, and back to back
        # the checks can take most of a core from the repair they wait for.
        Start-Sleep -Milliseconds ([Math]::Max(200, $checking.ElapsedMilliseconds))
    }
    # What kept the ring from settling, for the record: the last report's counts and its first problems.
    if ($report) {
        Write-Host ("  not settled {0} s after {1}: {2} of {3} members, {4} of {5} files, {6} problem(s)" -f $SettleSeconds, $After, $report.Members.Count, $Members, $report.Files.Count, $Files, @($report.Problems).Count)
        $report.Problems | Select-Object -First 5 | ForEach-Object { Write-Host "    $($_.Kind) at Peer $($_.PeerId): $($_.Message)" }
    } else { Write-Host "  not settled $SettleSeconds s after ${After}: Test-DhtRing gave no report" }
    $false
}

function Get-RepairBytes { (Get-DhtPeer | ForEach-Object { (Get-DhtPeer -Id $_.Id -Statistics).TransferBytesSent } | Measure-Object -Sum).Sum }

$random = [Random]::new($Seed)
$root = Join-Path ([IO.Path]::GetTempPath()) "dhtps-durability-$([guid]::NewGuid().ToString('N'))"
$source = New-Item -ItemType Directory (Join-Path $root 'source')
$back = New-Item -ItemType Directory (Join-Path $root 'back')
try {
    $ring = New-DhtTestRing -Count $Peers -DataRoot $root
    $members = [Collections.Generic.List[ulong]]@($ring.MemberIds)
    $knownPeer = "$($members[0])@$((Get-DhtPeer -Id $members[0]).EndPoint)"
    $sha = @{}
    $stored = [Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $Files; $i++) {
        $name = 'durable-{0:D5}.bin' -f $i
        $bytes = [byte[]]::new($random.Next(1, $MaxFileSize))
        $random.NextBytes($bytes)
        $path = Join-Path $source $name
        [IO.File]::WriteAllBytes($path, $bytes)
        $sha[$name] = Get-Sha256 $path
        Save-DhtFile -LiteralPath $path -Via $members[$random.Next($members.Count)] | Out-Null
    }
    Write-Host ("Stored {0} files on {1} peers in {2:0.0} s" -f $Files, $Peers, $stored.Elapsed.TotalSeconds)
    if (-not (Wait-Whole $members[0] $members.Count)) { throw 'The ring did not settle after the stores.' }

    $down = [Collections.Generic.List[ulong]]::new()
    $restore = [Collections.Generic.List[double]]::new()
    $counts = @{ join = 0; leave = 0; kill = 0; restart = 0; unsettled = 0 }
    $bytesBefore = Get-RepairBytes
    $budget = [Diagnostics.Stopwatch]::StartNew()
    $ran = 0
    for ($event = 1; $event -le $Events -and $budget.Elapsed.TotalMinutes -lt $MaxMinutes; $event++) {
        $kind = if ($down.Count -gt 0 -and $random.Next(3) -eq 0) { 'restart' } else { ('join', 'leave', 'kill', 'kill')[$random.Next(4)] }
        if ($kind -ne 'join' -and $members.Count -le 8) { $kind = 'join' }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        switch ($kind) {
            'join' {
                do { $id = [ulong]$random.Next(256) } while ($members.Contains($id) -or $down.Contains($id))
                Start-DhtPeer -Id $id -KnownPeer $knownPeer -Port 0 -PingInterval 1 -DataPath (Join-Path $root "peer$id") | Out-Null
                $members.Add($id)
            }
            'leave' {
                $id = $members[$random.Next(1, $members.Count)]
                Stop-DhtPeer -Id $id -Confirm:$false
                Remove-Job -Name "DhtPeer$id" -Force -ErrorAction Ignore
                [void]$members.Remove($id)
            }
            'kill' {
                $id = $members[$random.Next(1, $members.Count)]
                Stop-DhtPeer -Id $id -Abrupt -Confirm:$false
                Remove-Job -Name "DhtPeer$id" -Force -ErrorAction Ignore
                [void]$members.Remove($id)
                $down.Add($id)
            }
            'restart' {
                $id = $down[0]
                $down.RemoveAt(0)
                Start-DhtPeer -Id $id -KnownPeer $knownPeer -Port 0 -PingInterval 1 -DataPath (Join-Path $root "peer$id") | Out-Null
                $members.Add($id)
            }
        }
        $counts[$kind]++
        $ran++
        Write-Progress -Activity 'Durability events' -Status "$ran of $Events ($kind of Peer $id)" -PercentComplete (100 * $ran / $Events)
        if (Wait-Whole $members[0] $members.Count "event $ran ($kind of Peer $id, at $([DateTime]::UtcNow.ToString('HH:mm:ss')) UTC)") {
            if ($kind -eq 'kill') { $restore.Add($watch.Elapsed.TotalSeconds) }
        } else { $counts.unsettled++ }
    }
    $repairBytes = (Get-RepairBytes) - $bytesBefore

    $lost = 0; $corrupted = 0
    foreach ($name in $sha.Keys) {
        $target = Join-Path $back $name
        $got = Get-DhtFile -Name $name -Via $members[0] -Destination $target -ErrorAction SilentlyContinue
        if (-not $got) { $lost++ } elseif ((Get-Sha256 $target) -ne $sha[$name]) { $corrupted++ }
    }
    [pscustomobject]@{
        Peers = $Peers; Files = $Files; Events = $ran; Minutes = [Math]::Round($budget.Elapsed.TotalMinutes, 1)
        Joins = $counts.join; Leaves = $counts.leave; Kills = $counts.kill; Restarts = $counts.restart; Unsettled = $counts.unsettled
        Lost = $lost; Corrupted = $corrupted
        RestoreP50Seconds = [Math]::Round((Get-Percentile $restore 0.5), 2)
        RestoreP99Seconds = [Math]::Round((Get-Percentile $restore 0.99), 2)
        RepairMiB = [Math]::Round($repairBytes / 1MB, 1)
    }
}
finally {
    Stop-TestRing
    Remove-DhtTestRing -ErrorAction Ignore
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
