<#
.SYNOPSIS
    The DhtPs side of bench/Compare-OpenDht.ps1: a ring of -Peers peers in this pwsh on loopback, Save-DhtFile and
    Get-DhtFile of 1 KiB files through random peers, from one caller and then from -Callers concurrent callers
    (ForEach-Object -Parallel runspaces). Writes one object: latencies (p50/p99, ms) and throughput (operations/s).
.DESCRIPTION
    The single-caller loop is OpenDHT's (bench/opendht_bench.py): operation i stores file-i through peer i mod N and
    gets it through peer (7i + 3) mod N. The concurrent phase first has every caller store its files, then every
    caller get them, each phase timed from the moment all callers are ready (a barrier) to the last one's end.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtRequests.ps1 -Peers 64 -Operations 200 -Callers 16 -OperationsPerCaller 50
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtRequests.ps1 -ReplicationFactor 1
    One copy of each file: a get asks no second opinion (protocol.md 8.9), so beside a run at the default 3 it prices that.
    Both rings keep successor lists of -SuccessorCount 4 (what r = 3 needs), so both route alike.
#>
[CmdletBinding()]
param(
    [int] $Peers = 64,
    [int] $Operations = 200,
    [int] $Callers = 16,
    [int] $OperationsPerCaller = 50,
    [int] $ValueBytes = 1024,
    [int] $Seed = 1,
    [int] $ReplicationFactor = 3,
    [int] $SuccessorCount = 4
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$manifest = Join-Path $PSScriptRoot '../DhtPs.psd1'
Import-Module $manifest
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1')

function Get-Percentile([double[]] $Values, [double] $P) {
    # The same rank rule as the OpenDHT script: sorted[min(n - 1, floor(p * n))].
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[math]::Min($sorted.Count - 1, [int][math]::Floor($P * $sorted.Count))]
}

$root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-requests-$([guid]::NewGuid().ToString('N'))"
$local = New-Item -ItemType Directory (Join-Path $root 'local')
try {
    $random = [System.Random]::new($Seed)
    $spaceSize = 256 # Start-DhtPeer's default -IdBits 8
    $ids = [ulong[]](0..($spaceSize - 1) | Sort-Object { $random.Next() } | Select-Object -First $Peers | Sort-Object)
    $bootWatch = [System.Diagnostics.Stopwatch]::StartNew()
    $null = New-DhtTestRing -Id $ids -DataRoot $root -Timeout 120 -SuccessorCount $SuccessorCount -PeerParameter @{ ReplicationFactor = $ReplicationFactor }
    $bootSeconds = $bootWatch.Elapsed.TotalSeconds

    $payload = [byte[]]::new($ValueBytes)
    $random.NextBytes($payload)
    $value = Join-Path $local 'value.bin'
    [System.IO.File]::WriteAllBytes($value, $payload)
    $sha256 = (Get-FileHash -LiteralPath $value -Algorithm SHA256).Hash.ToLowerInvariant()

    # One caller, OpenDHT's loop.
    $put = [System.Collections.Generic.List[double]]::new()
    $get = [System.Collections.Generic.List[double]]::new()
    $hops = [System.Collections.Generic.List[int]]::new()
    $found = 0
    $destination = Join-Path $local 'single.bin'
    for ($i = 0; $i -lt $Operations; $i++) {
        $a = $ids[$i % $Peers]
        $b = $ids[($i * 7 + 3) % $Peers]
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Save-DhtFile -LiteralPath $value -Name "file-$i" -Via $a
        $put.Add($watch.Elapsed.TotalMilliseconds)
        $watch.Restart()
        $got = Get-DhtFile "file-$i" -Via $b -Destination $destination
        $get.Add($watch.Elapsed.TotalMilliseconds)
        $hops.Add($got.Hops)
        if ($got.Sha256 -eq $sha256) { $found++ }
    }

    # Concurrent callers, each in its own runspace; the module's peers are process-wide, so every runspace reaches them.
    $barrier = [System.Threading.Barrier]::new($Callers)
    $results = 0..($Callers - 1) | ForEach-Object -ThrottleLimit $Callers -Parallel {
        $ErrorActionPreference = 'Stop'
        Import-Module $using:manifest
        $c = $_
        $ids = $using:ids
        $n = $ids.Count
        $perCaller = $using:OperationsPerCaller
        $value = $using:value
        $destination = Join-Path $using:local "caller$c.bin"
        $put = [double[]]::new($perCaller)
        $get = [double[]]::new($perCaller)
        $found = 0
        ($using:barrier).SignalAndWait()
        $putStart = [System.Diagnostics.Stopwatch]::GetTimestamp()
        for ($j = 0; $j -lt $perCaller; $j++) {
            $i = $c * $perCaller + $j
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $null = Save-DhtFile -LiteralPath $value -Name "conc-$i" -Via $ids[($i * 13 + $c) % $n]
            $put[$j] = $watch.Elapsed.TotalMilliseconds
        }
        $putEnd = [System.Diagnostics.Stopwatch]::GetTimestamp()
        ($using:barrier).SignalAndWait()
        $getStart = [System.Diagnostics.Stopwatch]::GetTimestamp()
        for ($j = 0; $j -lt $perCaller; $j++) {
            $i = $c * $perCaller + $j
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $got = Get-DhtFile "conc-$i" -Via $ids[($i * 7 + 3 + $c) % $n] -Destination $destination
            $get[$j] = $watch.Elapsed.TotalMilliseconds
            if ($got.Sha256 -eq $using:sha256) { $found++ }
        }
        $getEnd = [System.Diagnostics.Stopwatch]::GetTimestamp()
        [pscustomobject]@{ Put = $put; Get = $get; Found = $found; PutStart = $putStart; PutEnd = $putEnd; GetStart = $getStart; GetEnd = $getEnd }
    }
    $ticks = [double][System.Diagnostics.Stopwatch]::Frequency
    $putWall = (($results.PutEnd | Measure-Object -Maximum).Maximum - ($results.PutStart | Measure-Object -Minimum).Minimum) / $ticks
    $getWall = (($results.GetEnd | Measure-Object -Maximum).Maximum - ($results.GetStart | Measure-Object -Minimum).Minimum) / $ticks
    $concurrentPut = [double[]]($results | ForEach-Object { $_.Put })
    $concurrentGet = [double[]]($results | ForEach-Object { $_.Get })
    $total = $Callers * $OperationsPerCaller

    [pscustomobject]@{
        Peers                = $Peers
        ReplicationFactor    = $ReplicationFactor
        BootSeconds          = [math]::Round($bootSeconds, 1)
        Operations           = $Operations
        PutP50Ms             = Get-Percentile $put 0.5
        PutP99Ms             = Get-Percentile $put 0.99
        GetP50Ms             = Get-Percentile $get 0.5
        GetP99Ms             = Get-Percentile $get 0.99
        Found                = $found
        HopsMean             = [math]::Round(($hops | Measure-Object -Average).Average, 1)
        Callers              = $Callers
        ConcurrentOperations = $total
        ConcurrentPutP50Ms   = Get-Percentile $concurrentPut 0.5
        ConcurrentPutP99Ms   = Get-Percentile $concurrentPut 0.99
        PutsPerSecond        = [math]::Round($total / $putWall)
        ConcurrentGetP50Ms   = Get-Percentile $concurrentGet 0.5
        ConcurrentGetP99Ms   = Get-Percentile $concurrentGet 0.99
        GetsPerSecond        = [math]::Round($total / $getWall)
        ConcurrentFound      = ($results.Found | Measure-Object -Sum).Sum
    }
} finally {
    Remove-DhtTestRing
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
