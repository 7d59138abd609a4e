<#
.SYNOPSIS
    Hops and latency of 1 KiB Save-DhtFile / Get-DhtFile through the real cmdlets, on rings of N peers in this process,
    routed through fingers (the default) and, in the same run, the original way (-Routing Successor).
.DESCRIPTION
    For each N and each routing, starts N peers with random distinct 16-bit ids as one initialised ring on free
    loopback ports, waits until every predecessor is learned (and, with fingers, every finger is exact), then stores
    -Files files of 1 KiB, each through a random peer, and fetches each through another random peer. Reports, per
    operation, the mean and p99 hops to the owner and the p50 and p99 latency as the cmdlet's caller sees it, beside
    the target of issue 10: mean hops <= 1/2 log2 N + 1.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtRouting.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtRouting.ps1 -Peers 16 -Files 20
#>
param(
    [int[]] $Peers = @(16, 64, 256),
    [int] $Files = 100,
    [double] $PingInterval = 0.5,
    [int] $Seed = 1
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1')
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1')
$idBits = 16
$space = [Math]::Pow(2, $idBits)

function Get-Percentile([double[]] $Values, [double] $Percentile) {
    $sorted = $Values | Sort-Object
    $sorted[[Math]::Max(0, [Math]::Ceiling($Percentile / 100 * $sorted.Count) - 1)]
}

# True when every peer's finger i is the owner of its id + 2^i (the first id at or after it, wrapping).
function Test-FingersExact([ulong[]] $Ids) {
    foreach ($id in $Ids) {
        $fingers = (Get-DhtPeer -Id $id).Fingers
        for ($i = 0; $i -lt $idBits; $i++) {
            $start = [ulong](($id + [Math]::Pow(2, $i)) % $space)
            $at = [Array]::BinarySearch($Ids, $start)
            $owner = if ($at -ge 0) { $Ids[$at] } elseif (-bnot $at -eq $Ids.Count) { $Ids[0] } else { $Ids[-bnot $at] }
            if ($fingers[$i].Id -ne $owner) { return $false }
        }
    }
    $true
}

# An initialised ring (each peer knows its next two ids) started last peer first on OS-chosen ports, so a machine
# shared with other runs cannot take a port between choosing and binding it; only the first two peers, whose
# contacts the last two need before they start, get their ports picked ahead.
function Start-BenchRing([ulong[]] $Ids, [string] $Routing, [string] $DataRoot) {
    $contacts = @{}
    $early = Get-FreePort -Count 2
    for ($i = 0; $i -lt 2; $i++) { $contacts[$Ids[$i]] = "$($Ids[$i])@127.0.0.1:$($early[$i])" }
    for ($i = $Ids.Count - 1; $i -ge 0; $i--) {
        $first = $contacts[$Ids[($i + 1) % $Ids.Count]]
        $second = $contacts[$Ids[($i + 2) % $Ids.Count]]
        $port = if ($i -lt 2) { $early[$i] } else { 0 }
        $peer = Start-DhtPeer -Id $Ids[$i] -Port $port -FirstSuccessor $first -SecondSuccessor $second -IdBits $idBits `
            -PingInterval $PingInterval -Routing $Routing -DataPath (Join-Path $DataRoot "peer$($Ids[$i])")
        $contacts[$Ids[$i]] = "$($Ids[$i])@$($peer.EndPoint)"
    }
}

function Measure-Ring([int] $N, [string] $Routing, [System.Random] $Random) {
    $root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-routing-$([guid]::NewGuid().ToString('N'))"
    $local = New-Item -ItemType Directory (Join-Path $root 'local')
    try {
        $ids = [System.Collections.Generic.SortedSet[ulong]]::new()
        while ($ids.Count -lt $N) { [void]$ids.Add([ulong]$Random.Next(0, [int]$space)) }
        $ids = [ulong[]]@($ids)
        Start-BenchRing -Ids $ids -Routing $Routing -DataRoot (Join-Path $root 'peers')
        Wait-DhtRing -Members $ids -Via $ids[0] -Timeout 120 | Out-Null
        if ($Routing -eq 'Fingers') {
            Wait-Condition -Because "every finger of the $N peers is exact" -TimeoutSeconds 300 -Condition { Test-FingersExact $ids }
        }
        $content = [byte[]]::new(1KB)
        $rows = foreach ($i in 1..$Files) {
            $name = "route-$i.bin"
            $Random.NextBytes($content)
            $path = Join-Path $local $name
            [System.IO.File]::WriteAllBytes($path, $content)
            $via = $ids[$Random.Next($ids.Count)]
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $stored = Save-DhtFile -LiteralPath $path -Via $via -ProgressAction SilentlyContinue
            $saveMs = $clock.Elapsed.TotalMilliseconds
            $from = $ids[$Random.Next($ids.Count)]
            $clock.Restart()
            $got = Get-DhtFile -Name $name -Via $from -Destination (Join-Path $local "got-$name") -ProgressAction SilentlyContinue
            $getMs = $clock.Elapsed.TotalMilliseconds
            if ($got.Sha256 -ne $stored.Sha256) { throw "$name came back different from peer $($got.StoredAt)." }
            [pscustomobject]@{ SaveHops = $stored.Hops; SaveMs = $saveMs; GetHops = $got.Hops; GetMs = $getMs }
        }
        foreach ($operation in 'Save', 'Get') {
            $hops = [double[]]$rows.ForEach("${operation}Hops")
            $ms = [double[]]$rows.ForEach("${operation}Ms")
            [pscustomobject]@{
                Peers      = $N
                Routing    = $Routing
                Operation  = "$operation-DhtFile"
                Files      = $rows.Count
                MeanHops   = [Math]::Round(($hops | Measure-Object -Average).Average, 2)
                P99Hops    = Get-Percentile $hops 99
                TargetHops = [Math]::Round([Math]::Log2($N) / 2 + 1, 2)
                P50Ms      = [Math]::Round((Get-Percentile $ms 50), 2)
                P99Ms      = [Math]::Round((Get-Percentile $ms 99), 2)
            }
        }
    } finally {
        Stop-TestRing
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }
}

$random = [System.Random]::new($Seed)
$results = foreach ($n in $Peers) {
    foreach ($routing in 'Fingers', 'Successor') {
        Measure-Ring -N $n -Routing $routing -Random $random
    }
}
$results | Format-Table -AutoSize | Out-String -Width 200
