<#
.SYNOPSIS
    Runs the Pester suite in this (child) process and writes its totals as JSON for build.ps1.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string[]] $Path,
    [Parameter(Mandatory)] [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force

$configuration = New-PesterConfiguration
# pwsh -File passes an array as one comma-separated string.
$configuration.Run.Path = $Path -split ','
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'

$result = Invoke-Pester -Configuration $configuration
if (-not $result) { throw 'Pester returned no result (it failed before running any test).' }
# Containers that failed to run (e.g. a broken BeforeAll) count as failures too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
# The names travel with the counts so the run's last lines say what failed, however long the log above them.
$failedNames = @($result.Failed | ForEach-Object { "$($_.ExpandedPath): $(($_.ErrorRecord | Select-Object -First 1).Exception.Message)" }) +
    @($result.FailedBlocks | ForEach-Object { "$($_.ExpandedPath) (block)" }) +
    @($result.FailedContainers | ForEach-Object { "$($_.Item) (container)" })
@{ Passed = $result.PassedCount; Failed = $failed; FailedNames = $failedNames } | ConvertTo-Json | Set-Content $SummaryPath
exit ([int]($failed -gt 0))
