<#
.SYNOPSIS
    The ring of the original assignment: peers 2, 4, 5, 8, 9, 14, 19 on ports 12000 + id,
    pinging every second. Runs for a few seconds, shows each peer's state, and stops them.
#>
param([double] $Seconds = 10)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1') -Force

$ids = 2, 4, 5, 8, 9, 14, 19
Write-Host "Starting the ring $($ids -join ', ') (ping interval 1 s, ports 12000 + id)"
for ($i = 0; $i -lt $ids.Count; $i++) {
    $peer = Start-DhtPeer -Id $ids[$i] -FirstSuccessor $ids[($i + 1) % $ids.Count] -SecondSuccessor $ids[($i + 2) % $ids.Count] -PingInterval 1
    Write-Host ("  peer {0,2} listening on {1}, successors {2}" -f $peer.Id, $peer.EndPoint, ($peer.Successors -join ', '))
}

Write-Host "`nPeer 4's events as they happen (Receive-Job):"
$until = [DateTime]::UtcNow.AddSeconds($Seconds)
while ([DateTime]::UtcNow -lt $until) {
    Receive-Job -Name DhtPeer4 | ForEach-Object { Write-Host "  > $($_.Message)" }
    Start-Sleep -Milliseconds 250
}

Write-Host "`nEach peer's state after $Seconds s (Get-DhtPeer):"
Get-DhtPeer | Format-Table | Out-String | Write-Host

Write-Host 'The peers are PowerShell jobs (Get-Job):'
Get-Job -Name 'DhtPeer*' | Format-Table Id, Name, PSJobTypeName, State, Location | Out-String | Write-Host

Get-DhtPeer | Stop-DhtPeer -Confirm:$false
Write-Host 'All peers stopped.'
