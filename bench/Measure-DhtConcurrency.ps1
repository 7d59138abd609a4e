<#
.SYNOPSIS
    Whether Get-DhtFile and Get-DhtPeer serve concurrent callers without serialising in the cmdlet and hosting layer:
    one peer that owns the file itself (no routing, no second peer), called from 1 and then from -Callers runspaces
    (ForEach-Object -Parallel, started together on a barrier); prints calls per second for each.
.DESCRIPTION
    With no lock in the way, -Callers callers on a 2-core machine reach well above one caller's rate (the cores and
    the blocking waits of each call overlap); one lock around the calls would hold them at about one caller's rate.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtConcurrency.ps1 -Callers 16 -CallsPerCaller 200
#>
param([int] $Callers = 16, [int] $CallsPerCaller = 200)
$ErrorActionPreference = 'Stop'
$manifest = Join-Path $PSScriptRoot '../DhtPs.psd1'
Import-Module $manifest
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1')

function Measure-Callers([int] $Count, [string] $Call) {
    # The call as text: a script block cannot cross into another runspace.
    $barrier = [System.Threading.Barrier]::new($Count)
    $spans = 1..$Count | ForEach-Object -ThrottleLimit $Count -Parallel {
        Import-Module $using:manifest
        $call = [scriptblock]::Create($using:Call)
        $caller = $_
        $process = [System.Diagnostics.Process]::GetCurrentProcess()
        ($using:barrier).SignalAndWait()
        $start = [System.Diagnostics.Stopwatch]::GetTimestamp()
        $process.Refresh()
        $cpuStart = $process.TotalProcessorTime.TotalSeconds
        for ($j = 0; $j -lt $using:CallsPerCaller; $j++) { $null = & $call $caller }
        $process.Refresh()
        [pscustomobject]@{ Start = $start; End = [System.Diagnostics.Stopwatch]::GetTimestamp(); CpuStart = $cpuStart; CpuEnd = $process.TotalProcessorTime.TotalSeconds }
    }
    $seconds = (($spans.End | Measure-Object -Maximum).Maximum - ($spans.Start | Measure-Object -Minimum).Minimum) / [System.Diagnostics.Stopwatch]::Frequency
    $cpu = ($spans.CpuEnd | Measure-Object -Maximum).Maximum - ($spans.CpuStart | Measure-Object -Minimum).Minimum
    # Calls per second, and the cores this process used from the barrier to the last caller's end.
    [pscustomobject]@{ PerSecond = [math]::Round($Count * $CallsPerCaller / $seconds); Cores = [math]::Round($cpu / $seconds, 2) }
}

$root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-concurrency-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory $root | Out-Null
try {
    $null = New-DhtTestRing -Id 5 -DataRoot $root
    $value = Join-Path $root 'value.bin'
    [System.IO.File]::WriteAllBytes($value, [byte[]]::new(1024))
    $null = Save-DhtFile -LiteralPath $value -Name 'value' -Via 5
    $get = "param(`$caller) Get-DhtFile 'value' -Via 5 -Destination (Join-Path '$root' `"copy`$caller.bin`")"
    $peer = 'param($caller) Get-DhtPeer -Id 5'
    $null = Measure-Callers 1 $get # warm-up: JIT and first runspaces
    foreach ($count in 1, $Callers) {
        $files = Measure-Callers $count $get
        $peers = Measure-Callers $count $peer
        [pscustomobject]@{
            Callers          = $count
            GetDhtFilePerSec = $files.PerSecond
            GetDhtFileCores  = $files.Cores
            GetDhtPeerPerSec = $peers.PerSecond
            GetDhtPeerCores  = $peers.Cores
            Load             = ((Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ')[0..2] -join ' '
        }
    }
} finally {
    Remove-DhtTestRing
    Remove-Item -Recurse -Force $root
}
