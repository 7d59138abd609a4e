<#
.SYNOPSIS
    A peer in a process of its own, for the cross-process tests (see Start-PeerProcess).
    Joins the ring through a known peer, then runs until killed or until the parent process is gone.
#>
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [ulong] $Id,
    [Parameter(Mandatory)] [int] $Port,
    [Parameter(Mandatory)] [string] $KnownPeer,
    [double] $PingInterval = 1,
    [int] $ReplicationFactor = 3,
    [string] $DataPath,
    [Parameter(Mandatory)] [int] $ParentId
)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$data = if ($DataPath) { @{ DataPath = $DataPath } } else { @{} }
Start-DhtPeer -Id $Id -Port $Port -KnownPeer $KnownPeer -PingInterval $PingInterval -ReplicationFactor $ReplicationFactor @data
while (Get-Process -Id $ParentId -ErrorAction SilentlyContinue) {
    Start-Sleep -Milliseconds 500
}
