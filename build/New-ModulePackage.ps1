<#
.SYNOPSIS
    Packs the module as PSResourceGet installs it: DhtPs.psd1, module/ (format views and the
    built dlls) and en-US/ (help), into <OutputPath>/DhtPs.<version>.nupkg. Run after a build.
#>
param([Parameter(Mandatory)] [string] $OutputPath)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
if (-not (Test-Path (Join-Path $root 'module/bin/DhtPs.dll'))) { throw 'module/bin/DhtPs.dll is missing: build first.' }

$staging = Join-Path ([IO.Path]::GetTempPath()) "dhtps-package-$([guid]::NewGuid().ToString('n'))/DhtPs"
try {
    New-Item $staging -ItemType Directory -Force | Out-Null
    Copy-Item (Join-Path $root 'DhtPs.psd1'), (Join-Path $root 'LICENSE'), (Join-Path $root 'CHANGELOG.md'), (Join-Path $root 'module'), (Join-Path $root 'en-US') $staging -Recurse
    Get-ChildItem $staging -Recurse -Filter *.pdb | Remove-Item
    New-Item $OutputPath -ItemType Directory -Force | Out-Null
    Compress-PSResource -Path $staging -DestinationPath $OutputPath
} finally {
    Remove-Item (Split-Path $staging) -Recurse -Force -ErrorAction Ignore
}
Get-ChildItem $OutputPath -Filter 'DhtPs.*.nupkg'
