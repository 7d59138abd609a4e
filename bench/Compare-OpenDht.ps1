<#
.SYNOPSIS
    DhtPs side by side with OpenDHT in one run: put/store and get of 1 KiB values on a 64-member ring on loopback,
    from one caller and from 16 concurrent callers; prints both and the ratios.
.DESCRIPTION
    OpenDHT: Debian's python3-opendht (installed with apt-get when missing; a dependency of this benchmark only, never
    of the tests or CI), -Peers nodes in one Python process, driven by bench/opendht_bench.py (the shared
    opendht_bench.py's single-caller loop, plus concurrent callers as threads).
    DhtPs: -Peers peers in one child pwsh, Save-DhtFile/Get-DhtFile through random peers (bench/Measure-DhtRequests.ps1),
    the concurrent callers as ForEach-Object -Parallel runspaces.
    Ratios are DhtPs / OpenDHT: below 1 is DhtPs faster for latencies, above 1 is DhtPs faster for throughput.
    With -MarkdownPath the results are also written there as a Markdown section (build.ps1 Bench puts it in
    docs/benchmarks.md).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Compare-OpenDht.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Compare-OpenDht.ps1 -Operations 100 -OperationsPerCaller 20
#>
[CmdletBinding()]
param(
    [int] $Peers = 64,
    [int] $Operations = 200,
    [int] $Callers = 16,
    [int] $OperationsPerCaller = 50,
    [string] $MarkdownPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$python = '/usr/bin/python3' # Debian's, where python3-opendht installs; a pyenv or venv python would not see it

function Test-OpenDht { & $python -c 'import opendht' 2>$null; $LASTEXITCODE -eq 0 }

function Install-OpenDht {
    if (Test-OpenDht) { return }
    if (-not (Get-Command apt-get -ErrorAction Ignore)) { throw 'python3-opendht is missing and this system has no apt-get to install it with.' }
    Write-Host 'Installing python3-opendht (a dependency of this benchmark only) ...'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    $aptGet = if ((id -u) -eq '0') { { apt-get @args } } else { { sudo --preserve-env=DEBIAN_FRONTEND apt-get @args } }
    & $aptGet update -qq | Out-Host
    & $aptGet install -y -qq python3-opendht | Out-Host
    if (-not (Test-OpenDht)) { throw "apt-get did not make 'import opendht' work for $python." }
}

function ConvertFrom-KeyValueLine([string] $Line) {
    $fields = [ordered]@{}
    foreach ($pair in $Line -split '\s+' | Where-Object { $_ -match '=' }) {
        $key, $value = $pair -split '=', 2
        $fields[$key] = $value
    }
    $fields
}

function Get-LoadAverage { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'unknown' } }

Install-OpenDht
$loadBefore = Get-LoadAverage

# DhtPs first, in a child pwsh, so its ring (64 peers, their sockets and threads) is gone before OpenDHT starts.
Write-Host "DhtPs: $Peers peers in one pwsh, $Operations operations from one caller, $Callers callers x $OperationsPerCaller ..."
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$json = & $pwsh -NoProfile -NonInteractive -Command "& '$(Join-Path $PSScriptRoot 'Measure-DhtRequests.ps1')' -Peers $Peers -Operations $Operations -Callers $Callers -OperationsPerCaller $OperationsPerCaller | ConvertTo-Json -Compress"
if ($LASTEXITCODE -ne 0) { throw "Measure-DhtRequests.ps1 failed (exit code $LASTEXITCODE)." }
$dhtps = ($json | Select-Object -Last 1) | ConvertFrom-Json
$loadBetween = Get-LoadAverage

Write-Host "OpenDHT: $Peers nodes in one Python process, the same operations ..."
$lines = & $python (Join-Path $PSScriptRoot 'opendht_bench.py') $Peers $Operations $Callers $OperationsPerCaller
if ($LASTEXITCODE -ne 0) { throw "opendht_bench.py failed (exit code $LASTEXITCODE)." }
$single = ConvertFrom-KeyValueLine ($lines | Where-Object { $_ -like 'opendht *' })
$concurrent = ConvertFrom-KeyValueLine ($lines | Where-Object { $_ -like 'opendht-concurrent *' })
$loadAfter = Get-LoadAverage

function Row([string] $Metric, [double] $OpenDht, [double] $DhtPs, [string] $Unit, [string] $Target) {
    [pscustomobject]@{
        Metric  = $Metric
        OpenDHT = '{0:0.00} {1}' -f $OpenDht, $Unit
        DhtPs   = '{0:0.00} {1}' -f $DhtPs, $Unit
        Ratio   = '{0:0.00}x' -f ($DhtPs / $OpenDht)
        Target  = $Target
    }
}
$rows = @(
    Row 'put p50, 1 caller' $single.put_p50_ms $dhtps.PutP50Ms 'ms' '<= 1x'
    Row 'put p99, 1 caller' $single.put_p99_ms $dhtps.PutP99Ms 'ms' ''
    Row 'get p50, 1 caller' $single.get_p50_ms $dhtps.GetP50Ms 'ms' '<= 0.5x'
    Row 'get p99, 1 caller' $single.get_p99_ms $dhtps.GetP99Ms 'ms' ''
    Row "put p50, $Callers callers" $concurrent.put_p50_ms $dhtps.ConcurrentPutP50Ms 'ms' ''
    Row "put p99, $Callers callers" $concurrent.put_p99_ms $dhtps.ConcurrentPutP99Ms 'ms' ''
    Row "puts/s, $Callers callers" $concurrent.put_per_s $dhtps.PutsPerSecond '/s' ''
    Row "get p50, $Callers callers" $concurrent.get_p50_ms $dhtps.ConcurrentGetP50Ms 'ms' ''
    Row "get p99, $Callers callers" $concurrent.get_p99_ms $dhtps.ConcurrentGetP99Ms 'ms' ''
    Row "gets/s, $Callers callers" $concurrent.get_per_s $dhtps.GetsPerSecond '/s' '>= 5000 gets/s'
)
$found = "found: OpenDHT $($single.found) and $($concurrent.found), DhtPs $($dhtps.Found)/$Operations and $($dhtps.ConcurrentFound)/$($dhtps.ConcurrentOperations)"
$context = "DhtPs: ring settled in $($dhtps.BootSeconds) s, a get took $($dhtps.HopsMean) hops on average; OpenDHT: booted in $($single.boot_s) s. " +
    "Load average before / between / after: $loadBefore / $loadBetween / $loadAfter"

$rows | Format-Table -AutoSize | Out-Host
Write-Host $found
Write-Host $context

if ($MarkdownPath) {
    $markdown = @(
        '| 1 KiB values, loopback | OpenDHT | DhtPs | DhtPs / OpenDHT | issue 12 target |'
        '| --- | --- | --- | --- | --- |'
        $rows | ForEach-Object { "| $($_.Metric) | $($_.OpenDHT) | $($_.DhtPs) | $($_.Ratio) | $($_.Target) |" }
        ''
        "$found. $context."
    )
    Set-Content -LiteralPath $MarkdownPath -Value $markdown
}
