#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates DhtPs.
.DESCRIPTION
    Tasks:
      Build  compile the solution; the module lands in module/bin beside DhtPs.psd1
      Test   Build, then run xunit and Pester; ends with one line "N passed, N failed"
      Demo   Build, then tour the original 7-peer ring: join 15, files, quit 9, kill 14, the ring repaired
      Bench  Release benchmarks: a 1 GiB transfer beside a raw TCP copy, a 10,000-peer simulation
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
    $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout }
}

function Invoke-PesterTests {
    # A child pwsh: the built dll stays locked by whichever process imports it.
    $summary = Join-Path $root 'TestResults/pester.json'
    New-Item (Split-Path $summary) -ItemType Directory -Force | Out-Null
    Remove-Item $summary -ErrorAction Ignore
    $paths = if ($PesterPath) { $PesterPath } else { @(Join-Path $root 'tests/pester') }
    & $pwshExe -NoProfile -NonInteractive -File (Join-Path $root 'tests/pester/Invoke-PesterSuite.ps1') `
        -PesterManifest (Get-PesterManifest) -Path $paths -SummaryPath $summary | Out-Host
    if (-not (Test-Path $summary)) { throw 'Pester ended without writing its summary.' }
    Get-Content $summary -Raw | ConvertFrom-Json
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
        Invoke-Native 'transfer benchmark' { dotnet run -c Release --no-build --project (Join-Path $root 'bench/DhtPs.Bench') -- transfer --size 1GiB }
        Invoke-Native 'simulation benchmark' { dotnet run -c Release --no-build --project (Join-Path $root 'tests/sim') -- --bench 10000 }
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
        Write-Host "xunit: $($unit.Passed) passed, $($unit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
        $passed = $unit.Passed + $pester.Passed
        $failed = $unit.Failed + $pester.Failed
        "$passed passed, $failed failed"
        exit ([int]($failed -gt 0 -or $passed -eq 0))
    }
}
