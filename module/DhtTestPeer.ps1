<#
.SYNOPSIS
    One peer of a test ring in a pwsh process of its own (New-DhtTestRing -Process): starts the peer with the
    parameters the ring wrote for it, says "DhtTestPeer ready" once the peer runs (and has joined, if it joins),
    then runs until killed, until its peer stops, or until the process that made the ring is gone.
#>
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $ParametersPath,
    [Parameter(Mandatory)] [int] $ParentId
)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$parameters = Import-Clixml -LiteralPath $ParametersPath
$peer = Start-DhtPeer @parameters
'DhtTestPeer ready'
while ((Get-Process -Id $ParentId -ErrorAction Ignore) -and (Get-DhtPeer -Id $peer.Id -ErrorAction Ignore)) {
    Start-Sleep -Milliseconds 250
}
