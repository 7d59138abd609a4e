<#
.SYNOPSIS
    Stores and fetches one large file through the real cmdlets and peers (three peers on loopback, in this process)
    and reports time, throughput and the process's peak working-set growth.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtFileTransfer.ps1 -SizeMiB 1024
#>
param([int] $SizeMiB = 1024)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1')
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1')

$root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-bench-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory $root | Out-Null
try {
    $source = Join-Path $root '2067'   # key 19: owned by peer 19, stored through peer 8
    $chunk = [byte[]]::new(1MB)
    $random = [System.Random]::new(1)
    $file = [System.IO.File]::Create($source)
    for ($i = 0; $i -lt $SizeMiB; $i++) { $random.NextBytes($chunk); $file.Write($chunk, 0, $chunk.Length) }
    $file.Dispose()

    $null = New-DhtTestRing -Id 4, 8, 19 -DataRoot $root
    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    [System.GC]::Collect()
    $process.Refresh()
    $before = $process.WorkingSet64
    $peakBefore = $process.PeakWorkingSet64

    $save = Measure-Command { $stored = Save-DhtFile -Path $source -Via 8 -ProgressAction SilentlyContinue }
    $get = Measure-Command { $got = Get-DhtFile 2067 -Via 8 -Destination (Join-Path $root 'copy') -ProgressAction SilentlyContinue }

    $process.Refresh()
    $identical = $got.Sha256 -eq $stored.Sha256 -and (Get-FileHash (Join-Path $root 'copy')).Hash -eq (Get-FileHash $source).Hash
    [pscustomobject]@{
        SizeMiB          = $SizeMiB
        SaveSeconds      = [math]::Round($save.TotalSeconds, 2)
        SaveMiBPerSecond = [math]::Round($SizeMiB / $save.TotalSeconds, 1)
        GetSeconds       = [math]::Round($get.TotalSeconds, 2)
        GetMiBPerSecond  = [math]::Round($SizeMiB / $get.TotalSeconds, 1)
        StoredAt         = $stored.StoredAt
        ByteIdentical    = $identical
        WorkingSetBeforeMiB = [math]::Round($before / 1MB, 1)
        PeakWorkingSetMiB   = [math]::Round($process.PeakWorkingSet64 / 1MB, 1)
        PeakGrowthMiB       = [math]::Round(($process.PeakWorkingSet64 - [math]::Max($before, $peakBefore)) / 1MB, 1)
        PeakAboveBeforeMiB  = [math]::Round(($process.PeakWorkingSet64 - $before) / 1MB, 1)
    }
} finally {
    Remove-DhtTestRing
    Remove-Item -Recurse -Force $root
}
