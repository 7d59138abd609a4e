<#
.SYNOPSIS
    A tour of DhtPs on the original assignment's ring: peers 2, 4, 5, 8, 9, 14, 19 on ports 12000 + id.
    Starts the ring, joins 15, stores 2067 and requests 4103, lets 9 quit gracefully, kills 14,
    shows the ring repaired, stops everything. Peers keep their files in a temporary folder, removed at the end.
#>
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1') -Force

$ids = 2, 4, 5, 8, 9, 14, 19
$busy = @(@(15) + $ids | Where-Object {
        try { $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 12000 + $_); $probe.Start(); $probe.Stop(); $false }
        catch [System.Net.Sockets.SocketException] { $true }
    })
if ($busy) {
    Write-Error "The demo uses ports 12000 + id; port(s) $(($busy | ForEach-Object { 12000 + $_ }) -join ', ') are busy. Stop whatever listens there (maybe examples/start-ring.ps1 -Stop) and run it again."
    exit 1
}

function Wait-Until([scriptblock] $Condition, [string] $What, [double] $Seconds = 30) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $Seconds s waiting until $What." }
        Start-Sleep -Milliseconds 100
    }
}
function Show-Events([ulong] $Id) {
    Receive-Job -Name "DhtPeer$Id" | Where-Object { "$($_.Kind)" -notlike 'Ping*' } | ForEach-Object { Write-Host "  peer $Id > $($_.Message)" }
}
# True when the ring walk closes and each member's predecessors are the two before it.
function Test-Settled {
    $ring = @(Get-DhtRing -ErrorAction SilentlyContinue)
    $n = $ring.Count
    $n -gt 2 -and -not (0..($n - 1) | Where-Object { ($ring[$_].Predecessors -join ',') -ne "$($ring[($_ - 1 + $n) % $n].Id),$($ring[($_ - 2 + $n) % $n].Id)" })
}
function Show-Ring {
    Get-DhtRing | Format-Table Id, EndPoint, @{ n = 'Successors'; e = { $_.Successors -join ', ' } }, @{ n = 'Predecessors'; e = { $_.Predecessors -join ', ' } } |
        Out-String | Write-Host
}

$files = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-demo-$PID"
New-Item $files -ItemType Directory -Force | Out-Null
try {
    Write-Host "== Starting the ring $($ids -join ', ') (init, ping interval 1 s, ports 12000 + id)"
    for ($i = 0; $i -lt $ids.Count; $i++) {
        Start-DhtPeer -Id $ids[$i] -FirstSuccessor $ids[($i + 1) % $ids.Count] -SecondSuccessor $ids[($i + 2) % $ids.Count] -PingInterval 1 `
            -Routing Successor -ReplicationFactor 1 -DataPath (Join-Path $files "peer$($ids[$i])") | Out-Null
    }
    Wait-Until { Test-Settled } 'every peer heard both predecessors ping'
    Write-Host '   Peer 4 prints the original ping messages (Enter-DhtPeer 4 -Backlog 6 -Command Ring):'
    Enter-DhtPeer 4 -Backlog 6 -Command Ring | Select-Object -Last 10 | ForEach-Object { Write-Host "   $_" }
    Write-Host "`n== Get-DhtRing walks the ring over the network:"
    Show-Ring
    $ids | ForEach-Object { Receive-Job -Name "DhtPeer$_" | Out-Null }

    Write-Host '== Peer 15 joins through peer 4 (Start-DhtPeer 15 -KnownPeer 4)'
    Start-DhtPeer -Id 15 -KnownPeer 4 -PingInterval 1 -Routing Successor -ReplicationFactor 1 -DataPath (Join-Path $files 'peer15') | Out-Null
    foreach ($id in 4, 5, 8, 9, 14, 15) { Show-Events $id }

    [System.IO.File]::WriteAllBytes((Join-Path $files '2067'), [byte[]](1..255))
    [System.IO.File]::WriteAllBytes((Join-Path $files '4103'), [byte[]](255..1))
    Write-Host "`n== Store 2067 at peer 8 (key 2067 mod 256 = 19 -> peer 19) (Save-DhtFile 2067 -Via 8)"
    Save-DhtFile -Via 8 -Path (Join-Path $files '2067') | Out-String | Write-Host
    foreach ($id in 8, 9, 14, 15, 19) { Show-Events $id }
    Save-DhtFile -Via 8 -Path (Join-Path $files '4103') | Out-Null
    $ids + 15 | ForEach-Object { Receive-Job -Name "DhtPeer$_" | Out-Null }
    Write-Host "`n== Request 4103 at peer 2 (key 7 -> peer 8) (Get-DhtFile 4103 -Via 2)"
    Get-DhtFile -Via 2 -Name 4103 -Destination (Join-Path $files 'received_4103') | Out-String | Write-Host
    foreach ($id in 2, 4, 5, 8) { Show-Events $id }
    $same = (Get-FileHash (Join-Path $files '4103')).Hash -eq (Get-FileHash (Join-Path $files 'received_4103')).Hash
    Write-Host "   received_4103 is byte-identical to 4103: $same"

    Write-Host "`n== Peer 9 quits gracefully (Stop-DhtPeer 9)"
    Stop-DhtPeer -Id 9 -Confirm:$false
    foreach ($id in 8, 5) { Show-Events $id }

    Write-Host "`n== Peer 14 is killed (Stop-DhtPeer 14 -Abrupt); its predecessors notice missed pings"
    $killed = [DateTime]::UtcNow
    Stop-DhtPeer -Id 14 -Abrupt -Confirm:$false
    Wait-Until { ((Get-DhtPeer 8).Successors -join ',') -eq '15,19' -and ((Get-DhtPeer 5).Successors -join ',') -eq '8,15' } 'peers 8 and 5 repaired their successors' 60
    Write-Host ("   repaired {0:0.0} s after the kill" -f ([DateTime]::UtcNow - $killed).TotalSeconds)
    foreach ($id in 8, 5) { Show-Events $id }
    Wait-Until { Test-Settled } 'every peer heard its two new predecessors ping'

    Write-Host "`n== The ring repaired:"
    Show-Ring

    Write-Host '== The files survived the churn: request 2067 at peer 5 (Get-DhtFile 2067 -Via 5)'
    $again = Get-DhtFile -Via 5 -Name 2067 -Destination (Join-Path $files 'received_2067')
    $same = (Get-FileHash (Join-Path $files '2067')).Hash -eq (Get-FileHash $again.Path).Hash
    Write-Host "   stored at peer $($again.StoredAt), $($again.Hops) hops; received_2067 is byte-identical to 2067: $same"
} finally {
    Get-DhtPeer | Stop-DhtPeer -Abrupt -Confirm:$false
    Get-Job -Name 'DhtPeer*' -ErrorAction Ignore | Remove-Job -Force
    Remove-Item $files -Recurse -Force -ErrorAction Ignore
    Write-Host '== All peers stopped.'
}
