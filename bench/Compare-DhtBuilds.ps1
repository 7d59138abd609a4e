<#
.SYNOPSIS
    Put and get latency of two builds side by side: each build runs its own ring of -Peers peers in a child pwsh, and
    the two take turns, -Operations Save-DhtFile/Get-DhtFile pairs of 1 KiB at a time, for -Rounds turns each.
.DESCRIPTION
    On a shared machine the disk and the CPU a process gets drift within minutes (the same build's put p50 went from 8 to
    17 ms in three back-to-back runs here), so two runs one after the other compare the drift as much as the builds.
    Here both rings are up for the whole run and only one of them works at a time, in short turns whose order flips
    every round: both builds see the same machine. Prints one object per build (p50/p99 of put and get over every turn)
    and the ratios this build / baseline, with the spread of the per-round ratios.
.EXAMPLE
    git worktree add /tmp/baseline HEAD~3; dotnet build /tmp/baseline/DhtPs.sln -c Release
    dotnet pwsh -NoProfile -File bench/Compare-DhtBuilds.ps1 -Baseline /tmp/baseline/DhtPs.psd1
#>
[CmdletBinding(DefaultParameterSetName = 'Compare')]
param(
    [Parameter(Mandatory, ParameterSetName = 'Compare')]
    [string] $Baseline,
    [Parameter(ParameterSetName = 'Compare')]
    [string] $Candidate = (Join-Path $PSScriptRoot '../DhtPs.psd1'),
    [Parameter(ParameterSetName = 'Compare')]
    [int] $Rounds = 10,
    [int] $Operations = 30,
    [int] $Peers = 64,
    [int] $ReplicationFactor = 3,
    [int] $Seed = 1,
    # One build's side: boots its ring, then runs a turn of -Operations pairs for every line read from stdin.
    [Parameter(Mandatory, ParameterSetName = 'Worker')]
    [string] $WorkerModule
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Get-Percentile([double[]] $Values, [double] $P) {
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[math]::Min($sorted.Count - 1, [int][math]::Floor($P * $sorted.Count))]
}

if ($PSCmdlet.ParameterSetName -eq 'Worker') {
    Import-Module $WorkerModule
    Import-Module (Join-Path (Split-Path $WorkerModule) 'tests/pester/DhtTestRing.psm1')
    $root = Join-Path ([IO.Path]::GetTempPath()) "dhtps-builds-$([guid]::NewGuid().ToString('N'))"
    $local = New-Item -ItemType Directory (Join-Path $root 'local')
    try {
        $random = [Random]::new($Seed)
        $ids = [ulong[]](0..255 | Sort-Object { $random.Next() } | Select-Object -First $Peers | Sort-Object)
        $null = New-DhtTestRing -Id $ids -DataRoot $root -Timeout 120 -SuccessorCount 4 -PeerParameter @{ ReplicationFactor = $ReplicationFactor }
        $value = Join-Path $local 'value.bin'
        $bytes = [byte[]]::new(1024)
        $random.NextBytes($bytes)
        [IO.File]::WriteAllBytes($value, $bytes)
        $destination = Join-Path $local 'got.bin'
        [Console]::Out.WriteLine('ready')
        for ($i = 0; $null -ne [Console]::In.ReadLine();) {
            $put = [double[]]::new($Operations)
            $get = [double[]]::new($Operations)
            for ($j = 0; $j -lt $Operations; $j++, $i++) {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $null = Save-DhtFile -LiteralPath $value -Name "file-$i" -Via $ids[$i % $Peers]
                $put[$j] = $watch.Elapsed.TotalMilliseconds
                $watch.Restart()
                $null = Get-DhtFile "file-$i" -Via $ids[($i * 7 + 3) % $Peers] -Destination $destination
                $get[$j] = $watch.Elapsed.TotalMilliseconds
            }
            [Console]::Out.WriteLine((@{ Put = $put; Get = $get } | ConvertTo-Json -Compress))
        }
    } finally {
        Remove-DhtTestRing
        Remove-Item -Recurse -Force $root -ErrorAction Ignore
    }
    return
}

function Start-Worker([string] $Module) {
    $start = [Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')))
    foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-WorkerModule', $Module,
        '-Operations', $Operations, '-Peers', $Peers, '-ReplicationFactor', $ReplicationFactor, '-Seed', $Seed) { $start.ArgumentList.Add([string]$argument) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    while (($line = $process.StandardOutput.ReadLine()) -ne 'ready') {
        if ($null -eq $line) { throw "The worker for $Module ended before its ring was up." }
    }
    $process
}

$builds = [ordered]@{ Baseline = (Resolve-Path $Baseline).Path; Candidate = (Resolve-Path $Candidate).Path }
$workers = [ordered]@{}
try {
    foreach ($name in $builds.Keys) { $workers[$name] = Start-Worker $builds[$name] }
    $samples = @{ Baseline = @{ Put = [Collections.Generic.List[double]]::new(); Get = [Collections.Generic.List[double]]::new() }
                  Candidate = @{ Put = [Collections.Generic.List[double]]::new(); Get = [Collections.Generic.List[double]]::new() } }
    $roundRatios = @{ Put = [Collections.Generic.List[double]]::new(); Get = [Collections.Generic.List[double]]::new() }
    # A first turn each, not counted: the JIT's tiering settles before anything is measured.
    foreach ($worker in $workers.Values) { $worker.StandardInput.WriteLine('turn'); $null = $worker.StandardOutput.ReadLine() }
    for ($round = 0; $round -lt $Rounds; $round++) {
        $order = if ($round % 2) { 'Candidate', 'Baseline' } else { 'Baseline', 'Candidate' }
        $turn = @{}
        foreach ($name in $order) {
            $workers[$name].StandardInput.WriteLine('turn')
            $turn[$name] = $workers[$name].StandardOutput.ReadLine() | ConvertFrom-Json
            $samples[$name].Put.AddRange([double[]]$turn[$name].Put)
            $samples[$name].Get.AddRange([double[]]$turn[$name].Get)
        }
        foreach ($kind in 'Put', 'Get') {
            $roundRatios[$kind].Add((Get-Percentile $turn.Candidate.$kind 0.5) / (Get-Percentile $turn.Baseline.$kind 0.5))
        }
    }
    foreach ($name in $builds.Keys) {
        [pscustomobject]@{
            Build    = $name
            Module   = $builds[$name]
            PutP50Ms = [math]::Round((Get-Percentile $samples[$name].Put 0.5), 2)
            PutP99Ms = [math]::Round((Get-Percentile $samples[$name].Put 0.99), 2)
            GetP50Ms = [math]::Round((Get-Percentile $samples[$name].Get 0.5), 2)
            GetP99Ms = [math]::Round((Get-Percentile $samples[$name].Get 0.99), 2)
        }
    }
    [pscustomobject]@{
        Build          = 'Candidate / Baseline'
        Rounds         = $Rounds
        Operations     = $Operations
        PutP50Ratio    = [math]::Round((Get-Percentile $samples.Candidate.Put 0.5) / (Get-Percentile $samples.Baseline.Put 0.5), 2)
        GetP50Ratio    = [math]::Round((Get-Percentile $samples.Candidate.Get 0.5) / (Get-Percentile $samples.Baseline.Get 0.5), 2)
        PutRoundRatios = '{0:n2} ({1:n2}-{2:n2})' -f (Get-Percentile $roundRatios.Put 0.5), ($roundRatios.Put | Measure-Object -Minimum).Minimum, ($roundRatios.Put | Measure-Object -Maximum).Maximum
        GetRoundRatios = '{0:n2} ({1:n2}-{2:n2})' -f (Get-Percentile $roundRatios.Get 0.5), ($roundRatios.Get | Measure-Object -Minimum).Minimum, ($roundRatios.Get | Measure-Object -Maximum).Maximum
    }
} finally {
    foreach ($worker in $workers.Values) {
        $worker.StandardInput.Close()
        if (-not $worker.WaitForExit(60000)) { $worker.Kill($true) }
    }
}
