<#
.SYNOPSIS
    What a 1 KiB Get-DhtFile costs in CPU, in steady state: a ring of -Peers peers in this pwsh, -Callers concurrent
    callers getting -Files stored files through random peers; after -WarmupSeconds (the JIT's tiering is done by then),
    the process's CPU time and the gets made are counted over -WindowSeconds.
.DESCRIPTION
    CPU per get is the figure to compare on a shared machine: throughput follows whatever share of the cores the
    scheduler gives the process, CPU per get much less so. Run it once per build (-ModulePath) and alternate the builds.
    2 cores divided by the CPU per get bounds the gets per second a quiet 2-core machine could serve.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtGetCost.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtGetCost.ps1 -ModulePath /tmp/before/DhtPs.psd1
    The same run with another build, to put beside this one's.
#>
[CmdletBinding()]
param(
    [int] $Peers = 64,
    [int] $Callers = 16,
    [int] $Files = 200,
    [double] $WarmupSeconds = 30,
    [double] $WindowSeconds = 20,
    [int] $Seed = 1,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../DhtPs.psd1')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1')

$random = [Random]::new($Seed)
$ids = [ulong[]](0..255 | Sort-Object { $random.Next() } | Select-Object -First $Peers | Sort-Object)
$root = Join-Path ([IO.Path]::GetTempPath()) "dhtps-getcost-$([guid]::NewGuid().ToString('N'))"
$local = New-Item -ItemType Directory (Join-Path $root 'local')
$job = $null
try {
    $null = New-DhtTestRing -Id $ids -DataRoot $root -Timeout 120 -SuccessorCount 4
    $value = Join-Path $local 'value.bin'
    $bytes = [byte[]]::new(1024)
    $random.NextBytes($bytes)
    [IO.File]::WriteAllBytes($value, $bytes)
    for ($i = 0; $i -lt $Files; $i++) { $null = Save-DhtFile -LiteralPath $value -Name "file-$i" -Via $ids[$i % $Peers] }

    # Each caller counts its gets in its own slot; the stop event ends them all.
    $gets = [long[]]::new($Callers)
    $stop = [Threading.ManualResetEventSlim]::new($false)
    $job = 0..($Callers - 1) | ForEach-Object -ThrottleLimit $Callers -AsJob -Parallel {
        Import-Module $using:ModulePath
        $c = $_
        $ids = $using:ids
        $gets = $using:gets
        $stop = $using:stop
        $destination = Join-Path $using:local "caller$c.bin"
        for ($j = 0; -not $stop.IsSet; $j++) {
            $i = ($c * 37 + $j) % $using:Files
            $null = Get-DhtFile "file-$i" -Via $ids[($i * 7 + 3 + $c) % $ids.Count] -Destination $destination
            $gets[$c] = $j + 1
        }
    }
    $process = [Diagnostics.Process]::GetCurrentProcess()
    function Get-Sample {
        $process.Refresh()
        [pscustomobject]@{ Gets = ($gets | Measure-Object -Sum).Sum; Cpu = $process.TotalProcessorTime; At = [Diagnostics.Stopwatch]::GetTimestamp() }
    }
    Start-Sleep -Seconds $WarmupSeconds
    $first = Get-Sample
    Start-Sleep -Seconds $WindowSeconds
    $last = Get-Sample
    $stop.Set()
    $null = $job | Wait-Job -Timeout 60
    $job | Receive-Job -ErrorAction Continue

    $count = $last.Gets - $first.Gets
    $wall = ($last.At - $first.At) / [Diagnostics.Stopwatch]::Frequency
    $cpu = ($last.Cpu - $first.Cpu).TotalMilliseconds
    [pscustomobject]@{
        Peers         = $Peers
        Callers       = $Callers
        Gets          = $count
        WindowSeconds = [Math]::Round($wall, 1)
        CpuMsPerGet   = [Math]::Round($cpu / [Math]::Max(1, $count), 3)
        GetsPerSecond = [Math]::Round($count / $wall)
        Cores         = [Math]::Round($cpu / 1000 / $wall, 2)
        LoadAverage   = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { $null }
    }
} finally {
    if ($job) { $job | Remove-Job -Force }
    Remove-DhtTestRing
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
