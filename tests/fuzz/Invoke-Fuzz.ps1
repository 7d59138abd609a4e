<#
.SYNOPSIS
    Fuzzes DhtPs.Core's input paths with AFL++ through SharpFuzz (build.ps1 Fuzz). Benchmark only: not part of the tests.
.DESCRIPTION
    Publishes tests/fuzz, instruments the published DhtPs.Core.dll with the SharpFuzz command-line tool (installed into
    build/tools on first use), then runs afl-fuzz once per target (frame, message, datagram, transfer header) from the
    corpus in tests/fuzz/corpus until it has done -Executions executions or -Seconds have passed. Prints one line per
    target from AFL's fuzzer_stats: executions, executions per second, crashes and hangs; findings stay in -Output.
    Needs afl-fuzz on the PATH (Debian: apt-get install afl++).
#>
param(
    [long] $Executions = 1000000,
    [int] $Seconds = 900,
    [string[]] $Target = @('frame', 'message', 'datagram', 'header'),
    [string] $Output = (Join-Path ([IO.Path]::GetTempPath()) 'dhtps-fuzz')
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
if (-not (Get-Command afl-fuzz -ErrorAction Ignore)) { throw 'afl-fuzz is not on the PATH; install AFL++ (Debian: apt-get install afl++).' }

$tools = Join-Path $root 'build/tools'
$sharpfuzz = Join-Path $tools 'sharpfuzz'
if (-not (Test-Path $sharpfuzz)) {
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path $tools
    if ($LASTEXITCODE -ne 0) { throw 'Installing the SharpFuzz command-line tool failed.' }
}
$published = Join-Path $Output 'harness'
Remove-Item $published -Recurse -Force -ErrorAction Ignore
dotnet publish (Join-Path $root 'tests/fuzz/DhtPs.Fuzz.csproj') -c Release -o $published --nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw 'Publishing the fuzz harness failed.' }
& $sharpfuzz (Join-Path $published 'DhtPs.Core.dll')
if ($LASTEXITCODE -ne 0) { throw 'Instrumenting DhtPs.Core.dll failed.' }

# dotnet itself is not instrumented (SharpFuzz reports coverage from the instrumented assembly).
$env:AFL_SKIP_BIN_CHECK = '1'
$env:AFL_NO_UI = '1'
$env:AFL_SKIP_CPUFREQ = '1'
$env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'
foreach ($name in $Target) {
    $findings = Join-Path $Output $name
    Remove-Item $findings -Recurse -Force -ErrorAction Ignore
    afl-fuzz -i (Join-Path $root "tests/fuzz/corpus/$name") -o $findings -t 5000 -m none -E $Executions -V $Seconds `
        -- dotnet (Join-Path $published 'DhtPs.Fuzz.dll') $name *> (Join-Path $Output "$name.log")
    $stats = @{}
    Get-Content (Join-Path $findings 'default/fuzzer_stats') | ForEach-Object {
        $key, $value = $_ -split '\s*:\s*', 2
        $stats[$key] = $value
    }
    [pscustomobject]@{
        Target = $name
        Executions = [long]$stats.execs_done
        PerSecond = [double]$stats.execs_per_sec
        Crashes = [int]$stats.saved_crashes
        Hangs = [int]$stats.saved_hangs
        Paths = [int]$stats.corpus_count
        Seconds = [int]$stats.run_time
    }
}
