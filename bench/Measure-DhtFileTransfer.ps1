<#
.SYNOPSIS
    Stores and fetches one large file through the real cmdlets and peers (three peers on loopback, in this process),
    each round beside a raw TCP copy of the same file, and reports times, the speed ratios to the raw copy (median and
    spread over the rounds) and the process's peak working-set growth.
.DESCRIPTION
    The file enters at peer 8 and is owned by peer 19, so both directions cross real loopback TCP through the whole
    stack (routing, stream seam, framed transfer, FileStore). The raw copy is a plain socket copy file -> socket ->
    file with an fsync, as the store's commit does. The disk's speed swings from run to run, so each round measures
    the raw copy, Save-DhtFile and Get-DhtFile back to back (the raw copy first in odd rounds, last in even ones).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-DhtFileTransfer.ps1 -SizeMiB 1024 -Rounds 3
#>
param([int] $SizeMiB = 1024, [int] $Rounds = 3)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1')
Import-Module (Join-Path $PSScriptRoot '../tests/pester/DhtTestRing.psm1')

Add-Type -TypeDefinition @'
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

/// <summary>The baseline: a file through a loopback TCP connection into another file, made durable; returns seconds.</summary>
public static class RawTcpCopy
{
    public static double Run(string source, string destination)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = listener.AcceptTcpClient();
        connecting.Wait();
        var stopwatch = Stopwatch.StartNew();
        var sending = Task.Run(async () =>
        {
            await using var content = File.OpenRead(source);
            await content.CopyToAsync(client.GetStream());
            client.Client.Shutdown(SocketShutdown.Send);
        });
        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            server.GetStream().CopyToAsync(output).Wait();
            output.Flush(flushToDisk: true);
        }
        sending.Wait();
        return stopwatch.Elapsed.TotalSeconds;
    }
}
'@

function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $n = $sorted.Count
    if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

function Get-LoadAverage { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'unknown' } }

$root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-bench-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory $root | Out-Null
try {
    "load average at start: $(Get-LoadAverage)"
    $source = Join-Path $root 'source.bin'
    $chunk = [byte[]]::new(1MB)
    $random = [System.Random]::new(1)
    $file = [System.IO.File]::Create($source)
    for ($i = 0; $i -lt $SizeMiB; $i++) { $random.NextBytes($chunk); $file.Write($chunk, 0, $chunk.Length) }
    $file.Flush($true)
    $file.Dispose()
    $sourceHash = (Get-FileHash $source).Hash

    $ring = New-DhtTestRing -Id 4, 8, 19 -DataRoot $root
    # Names whose keys peer 19 owns (9..19 on the ring 4, 8, 19), one per round, so every round stores a new file.
    $space = [DhtPs.Core.Ring.IdSpace]::new(8)
    $names = @(1..10000 | ForEach-Object { "big-$_" } | Where-Object { $k = [DhtPs.Core.Storage.FileKey]::Of($_, $space); $k -ge 9 -and $k -le 19 } | Select-Object -First $Rounds)

    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    [System.GC]::Collect()
    $process.Refresh()
    $before = $process.WorkingSet64
    $peakBefore = $process.PeakWorkingSet64

    $results = for ($round = 1; $round -le $Rounds; $round++) {
        $name = $names[$round - 1]
        $rawCopy = Join-Path $root 'raw-copy.bin'
        $copy = Join-Path $root 'copy.bin'
        # CPU time of this whole process (both peers' ends), steadier than wall time on a shared machine.
        $raw = $null
        $cpu = { $process.Refresh(); $process.TotalProcessorTime.TotalSeconds }
        if ($round % 2) { $c = & $cpu; $raw = [RawTcpCopy]::Run($source, $rawCopy); $rawCpu = (& $cpu) - $c }
        $c = & $cpu
        $save = Measure-Command { $stored = Save-DhtFile -LiteralPath $source -Name $name -Via 8 -ProgressAction SilentlyContinue }
        $saveCpu = (& $cpu) - $c
        $get = Measure-Command { $got = Get-DhtFile $name -Via 8 -Destination $copy -ProgressAction SilentlyContinue }
        $getCpu = (& $cpu) - $c - $saveCpu
        if (-not ($round % 2)) { $c = & $cpu; $raw = [RawTcpCopy]::Run($source, $rawCopy); $rawCpu = (& $cpu) - $c }
        $identical = $stored.StoredAt -eq 19 -and $got.Sha256 -eq $stored.Sha256 -and (Get-FileHash $copy).Hash -eq $sourceHash
        Remove-Item $rawCopy, $copy
        # Removed from the ring, every copy with it: a file deleted from the owner's disk alone was restored from its holders'
        # copies during the next rounds, and each round's CPU grew with that repair traffic (32, 39, 49 s a Save).
        Remove-DhtFile $name -Via 8 -Confirm:$false
        $result = [pscustomobject]@{
            Round         = $round
            RawSeconds    = [math]::Round($raw, 3)
            SaveSeconds   = [math]::Round($save.TotalSeconds, 3)
            GetSeconds    = [math]::Round($get.TotalSeconds, 3)
            SaveVsRaw     = [math]::Round($raw / $save.TotalSeconds, 2)
            GetVsRaw      = [math]::Round($raw / $get.TotalSeconds, 2)
            RawCpu        = [math]::Round($rawCpu, 3)
            SaveCpu       = [math]::Round($saveCpu, 3)
            GetCpu        = [math]::Round($getCpu, 3)
            ByteIdentical = $identical
            Load          = Get-LoadAverage
        }
        "round $round`: raw $($result.RawSeconds) s, Save-DhtFile $($result.SaveSeconds) s ($($result.SaveVsRaw)x the raw copy's speed), " +
            "Get-DhtFile $($result.GetSeconds) s ($($result.GetVsRaw)x), byte-identical $identical; process CPU raw $($result.RawCpu) s, " +
            "Save $($result.SaveCpu) s, Get $($result.GetCpu) s; load $($result.Load)" | Write-Host
        $result
    }

    $process.Refresh()
    $save = [double[]]$results.SaveVsRaw
    $get = [double[]]$results.GetVsRaw
    [pscustomobject]@{
        SizeMiB             = $SizeMiB
        Rounds              = $Rounds
        RawMedianSeconds    = Get-Median $results.RawSeconds
        SaveMedianSeconds   = Get-Median $results.SaveSeconds
        GetMedianSeconds    = Get-Median $results.GetSeconds
        SaveVsRawMedian     = Get-Median $save
        SaveVsRawSpread     = "$(($save | Measure-Object -Minimum).Minimum)-$(($save | Measure-Object -Maximum).Maximum)"
        GetVsRawMedian      = Get-Median $get
        GetVsRawSpread      = "$(($get | Measure-Object -Minimum).Minimum)-$(($get | Measure-Object -Maximum).Maximum)"
        RawCpuMedianSeconds = Get-Median $results.RawCpu
        SaveCpuMedianSeconds = Get-Median $results.SaveCpu
        GetCpuMedianSeconds = Get-Median $results.GetCpu
        ByteIdentical       = -not ($results.ByteIdentical -contains $false)
        WorkingSetBeforeMiB = [math]::Round($before / 1MB, 1)
        PeakWorkingSetMiB   = [math]::Round($process.PeakWorkingSet64 / 1MB, 1)
        PeakGrowthMiB       = [math]::Round(($process.PeakWorkingSet64 - [math]::Max($before, $peakBefore)) / 1MB, 1)
        PeakAboveBeforeMiB  = [math]::Round(($process.PeakWorkingSet64 - $before) / 1MB, 1)
        LoadAtEnd           = Get-LoadAverage
    } | Format-List | Out-String -Width 200
} finally {
    Remove-DhtTestRing
    Remove-Item -Recurse -Force $root
}
