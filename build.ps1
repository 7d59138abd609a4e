#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates DhtPs.
.DESCRIPTION
    Tasks:
      Build  compile the solution; the module lands in module/bin beside DhtPs.psd1
      Test   Build, then run xunit and Pester; ends with one line "N passed, N failed"
      Demo   Build, then tour the original 7-peer ring: join 15, files, quit 9, kill 14, the ring repaired
      Bench  Release benchmarks: a 1 GiB transfer beside a raw TCP copy (core, then through the cmdlets),
             DhtPs beside OpenDHT (64 members, 1 KiB, 1 and 16 callers), concurrent cmdlet callers,
             1,000 peers in one pwsh (stable time, working set, idle cores, lookups), a 10,000-peer simulation;
             the results go into docs/benchmarks.md with machine, date, commit and commands
      Fuzz   AFL++ over the frame, message, datagram and transfer-header decoders (tests/fuzz; needs afl-fuzz)
      Package  Build, then pack DhtPs.psd1, module/ and en-US/ into artifacts/DhtPs.<version>.nupkg
      Clean  remove build output
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Fuzz', 'Package', 'Clean')]
    [string] $Task = 'Build',

    # Pester tests to run (paths or tags are not filtered when empty).
    [string[]] $PesterPath = @(),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Fuzz: executions per target (AFL's -E).
    [long] $FuzzExecutions = 1000000
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$pwshExe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Invoke-Build {
    Invoke-Native 'dotnet build' { dotnet build (Join-Path $root 'DhtPs.sln') -c $Configuration --nologo -v quiet -clp:NoSummary }
}

function Get-PesterManifest {
    Invoke-Native 'Pester restore' { dotnet restore (Join-Path $root 'build/PesterRestore.proj') --nologo -v quiet }
    $packages = (dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $packages.Trim() 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $manifest)) { throw "Pester 6.2.0 was restored but $manifest is missing." }
    $manifest
}

function Invoke-XunitTests {
    $results = Join-Path $root 'TestResults/xunit'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    dotnet test (Join-Path $root 'tests/unit/DhtPs.Tests.Unit.csproj') -c $Configuration --no-build --nologo `
        --logger 'console;verbosity=minimal' --logger 'trx;LogFileName=unit.trx' --results-directory $results | Out-Host
    $trx = Get-ChildItem $results -Filter *.trx -Recurse | Select-Object -First 1
    if (-not $trx) { throw 'xunit produced no results file.' }
    $run = ([xml](Get-Content $trx.FullName -Raw)).TestRun
    $counters = $run.ResultSummary.Counters
    $failedNames = @($run.Results.UnitTestResult | Where-Object outcome -In 'Failed', 'Error', 'Timeout' | ForEach-Object {
            "$($_.testName): $(($_.Output.ErrorInfo.Message -split "`n")[0])" })
    [pscustomobject]@{
        Passed      = [int]$counters.passed
        Failed      = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
        FailedNames = $failedNames
    }
}

function Invoke-PesterTests {
    # A child pwsh: the built dll stays locked by whichever process imports it.
    $summary = Join-Path $root 'TestResults/pester.json'
    New-Item (Split-Path $summary) -ItemType Directory -Force | Out-Null
    Remove-Item $summary -ErrorAction Ignore
    # The default run also runs the README's example test file, as written; tests/multihost builds network namespaces
    # and skips itself, saying why, where it cannot (not Linux, not root, no iproute2).
    $paths = if ($PesterPath) { $PesterPath } else { @((Join-Path $root 'tests/pester'), (Join-Path $root 'tests/multihost'), (Join-Path $root 'examples/Ring.Tests.ps1')) }
    & $pwshExe -NoProfile -NonInteractive -File (Join-Path $root 'tests/pester/Invoke-PesterSuite.ps1') `
        -PesterManifest (Get-PesterManifest) -Path ($paths -join ',') -SummaryPath $summary | Out-Host
    if (-not (Test-Path $summary)) { throw 'Pester ended without writing its summary.' }
    Get-Content $summary -Raw | ConvertFrom-Json
}

function Get-LoadAverage { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'unknown' } }

function Invoke-Benchmark {
    <# Runs one benchmark, echoing its output; returns a Markdown section with the command, the load and the output. #>
    param([string] $Title, [string] $Command, [scriptblock] $Run, [scriptblock] $Markdown)
    Write-Host "== $Title`n   $Command"
    $loadBefore = Get-LoadAverage
    $started = [DateTime]::UtcNow
    $global:LASTEXITCODE = 0
    $lines = @(& $Run 2>&1 | ForEach-Object { $line = "$_" -replace '\x1b\[[0-9;]*m', ''; Write-Host $line; $line })
    if ($LASTEXITCODE -ne 0) { throw "$Title failed (exit code $LASTEXITCODE)." }
    @(
        "### $Title"
        ''
        "``$Command`` — started $($started.ToString('HH:mm')) UTC, $([math]::Round(([DateTime]::UtcNow - $started).TotalSeconds)) s; load average $loadBefore before, $(Get-LoadAverage) after."
        ''
        if ($Markdown) {
            & $Markdown # the benchmark's own table says it all; its console copy would repeat it
        } else {
            '```text'
            $lines | Where-Object { $_.Trim() }
            '```'
        }
        ''
    ) -join "`n"
}

function Get-Commit {
    $commit = (git -C $root rev-parse --short HEAD)
    if (git -C $root status --porcelain --untracked-files=no) { $commit += ' plus uncommitted changes' }
    $commit
}

function Write-BenchmarkResults([string[]] $Sections, [string] $Commit) {
    <# Replaces the generated section at the top of docs/benchmarks.md; the hand-written history below it stays. #>
    $begin = '<!-- build.ps1 Bench: begin -->'
    $end = '<!-- build.ps1 Bench: end -->'
    $cpu = if (Test-Path /proc/cpuinfo) { ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':\s*', 2)[1] } else { 'unknown CPU' }
    $memory = if (Test-Path /proc/meminfo) { '{0:0} GiB' -f ([double]((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '') / 1MB) } else { '? GiB' }
    $generated = @(
        $begin
        '## Latest `build.ps1 Bench` run (generated)'
        ''
        "Written by ``dotnet pwsh ./build.ps1 Bench`` on $([DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm')) UTC at commit $Commit; machine: " +
            "$([Environment]::ProcessorCount) x $cpu, $memory, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription.Trim()), " +
            "$([System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription) (pwsh $($PSVersionTable.PSVersion)). " +
            'Compare only ratios measured in one run; the machine may have been shared (see each load average).'
        ''
        $Sections
        $end
    ) -join "`n"
    $path = Join-Path $root 'docs/benchmarks.md'
    $text = Get-Content -LiteralPath $path -Raw
    $pattern = [regex]::Escape($begin) + '(?s).*?' + [regex]::Escape($end)
    $text = if ($text -match $pattern) {
        [regex]::Replace($text, $pattern, { param($m) $generated })
    } else {
        # First run: after the introduction (everything up to the first level-2 heading).
        $at = $text.IndexOf("`n## ")
        $text.Substring(0, $at + 1) + $generated + "`n`n" + $text.Substring($at + 1)
    }
    Set-Content -LiteralPath $path -Value $text.TrimEnd() -NoNewline
    Add-Content -LiteralPath $path -Value ''
    Write-Host "Results written to docs/benchmarks.md (commit $Commit)."
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Package' {
        Invoke-Build
        $artifacts = Join-Path $root 'artifacts'
        Get-ChildItem $artifacts -Filter *.nupkg -ErrorAction Ignore | Remove-Item
        & (Join-Path $root 'build/New-ModulePackage.ps1') -OutputPath $artifacts
    }
    'Bench' {
        Invoke-Native 'dotnet build (Release)' { dotnet build (Join-Path $root 'DhtPs.sln') -c Release --nologo -v quiet -clp:NoSummary }
        $commit = Get-Commit # before the benchmarks: what they measured
        $comparison = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-compare-$([guid]::NewGuid().ToString('N')).md"
        $sections = @(
            Invoke-Benchmark 'File transfer: DhtPs beside a raw TCP copy, alternating' `
                'dotnet run -c Release --project bench/DhtPs.Bench -- transfer --size 1GiB --rounds 3' {
                    dotnet run -c Release --no-build --project (Join-Path $root 'bench/DhtPs.Bench') -- transfer --size 1GiB --rounds 3 }
            Invoke-Benchmark 'File transfer through the cmdlets: 1 GiB through a ring, beside a raw TCP copy' `
                'dotnet pwsh -NoProfile -File bench/Measure-DhtFileTransfer.ps1 -SizeMiB 1024 -Rounds 3' {
                    & $pwshExe -NoProfile -NonInteractive -File (Join-Path $root 'bench/Measure-DhtFileTransfer.ps1') -SizeMiB 1024 -Rounds 3 }
            Invoke-Benchmark 'Side by side with OpenDHT: 64 members on loopback, 1 KiB' `
                'dotnet pwsh -NoProfile -File bench/Compare-OpenDht.ps1' {
                    & $pwshExe -NoProfile -NonInteractive -File (Join-Path $root 'bench/Compare-OpenDht.ps1') -MarkdownPath $comparison } `
                -Markdown { Get-Content -LiteralPath $comparison; Remove-Item -LiteralPath $comparison }
            Invoke-Benchmark 'Concurrent callers: Get-DhtFile and Get-DhtPeer from 1 and 16 runspaces, one peer' `
                'dotnet pwsh -NoProfile -File bench/Measure-DhtConcurrency.ps1 -Callers 16 -CallsPerCaller 200' {
                    & $pwshExe -NoProfile -NonInteractive -File (Join-Path $root 'bench/Measure-DhtConcurrency.ps1') -Callers 16 -CallsPerCaller 200 }
            Invoke-Benchmark 'CPU per get: 1 KiB Get-DhtFile from 16 callers through a 64-peer ring, after a warm-up' `
                'dotnet pwsh -NoProfile -File bench/Measure-DhtGetCost.ps1' {
                    & $pwshExe -NoProfile -NonInteractive -File (Join-Path $root 'bench/Measure-DhtGetCost.ps1') }
            Invoke-Benchmark 'Scale: 1,000 peers in one pwsh at a 1 s interval' `
                'dotnet pwsh -NoProfile -File bench/Measure-DhtScale.ps1 -Peers 1000 -SettleSeconds 30 -IdleSeconds 20 -Lookups 50' {
                    & $pwshExe -NoProfile -NonInteractive -File (Join-Path $root 'bench/Measure-DhtScale.ps1') -Peers 1000 -SettleSeconds 30 -IdleSeconds 20 -Lookups 50 }
            Invoke-Benchmark 'Simulation: 10,000 peers, fingers and 10,000 lookups' `
                'dotnet run -c Release --project tests/sim -- --bench 10000' {
                    dotnet run -c Release --no-build --project (Join-Path $root 'tests/sim') -- --bench 10000 }
        )
        Write-BenchmarkResults $sections $commit
    }
    'Fuzz' {
        & (Join-Path $root 'tests/fuzz/Invoke-Fuzz.ps1') -Executions $FuzzExecutions | Format-Table -AutoSize | Out-Host
    }
    'Clean' {
        Get-ChildItem $root -Directory -Recurse -Include bin, obj -ErrorAction Ignore | Remove-Item -Recurse -Force
        Remove-Item (Join-Path $root 'TestResults'), (Join-Path $root 'artifacts') -Recurse -Force -ErrorAction Ignore
    }
    'Demo' {
        Invoke-Build
        & $pwshExe -NoProfile -File (Join-Path $root 'examples/Demo.ps1')
        exit $LASTEXITCODE
    }
    'Test' {
        Invoke-Build
        $unit = Invoke-XunitTests
        $pester = Invoke-PesterTests
        # The failures are named again here, at the end, where a truncated log still shows them.
        foreach ($name in @($unit.FailedNames) + @($pester.FailedNames)) { if ($name) { Write-Host "FAILED $name" } }
        Write-Host "xunit: $($unit.Passed) passed, $($unit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
        $passed = $unit.Passed + $pester.Passed
        $failed = $unit.Failed + $pester.Failed
        "$passed passed, $failed failed"
        exit ([int]($failed -gt 0 -or $passed -eq 0))
    }
}
