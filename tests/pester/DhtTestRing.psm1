# Helpers shared by the Pester suites: free ports, test rings, and waiting on conditions.

function Get-FreePort {
    <# Ports the OS hands out as free for TCP and also free for UDP, so parallel runs never collide. #>
    param([int] $Count = 1)
    $ports = [System.Collections.Generic.List[int]]::new()
    while ($ports.Count -lt $Count) {
        $tcp = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $tcp.Start()
        $port = $tcp.LocalEndpoint.Port
        try {
            $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $port))
            $udp.Dispose()
            if (-not $ports.Contains($port)) { $ports.Add($port) }
        } catch [System.Net.Sockets.SocketException] {
        } finally {
            $tcp.Stop()
        }
    }
    $ports.ToArray()
}

function Start-TestRing {
    <#
    .SYNOPSIS
        Starts the given ids as an initialised ring (each knows its next two ids) on free ports.
        Returns a hashtable id -> "id@127.0.0.1:port".
    #>
    param(
        [Parameter(Mandatory)] [int[]] $Id,
        [double] $PingInterval = 1,
        [hashtable] $Extra = @{},
        # When given, each peer keeps its files in DataRoot/peer<id>.
        [string] $DataRoot
    )
    $ids = $Id | Sort-Object
    $ports = Get-FreePort -Count $ids.Count
    $contacts = @{}
    for ($i = 0; $i -lt $ids.Count; $i++) { $contacts[$ids[$i]] = "$($ids[$i])@127.0.0.1:$($ports[$i])" }
    for ($i = 0; $i -lt $ids.Count; $i++) {
        $first = $ids[($i + 1) % $ids.Count]
        $second = $ids[($i + 2) % $ids.Count]
        $data = if ($DataRoot) { @{ DataPath = Join-Path $DataRoot "peer$($ids[$i])" } } else { @{} }
        Start-DhtPeer -Id $ids[$i] -Port $ports[$i] -FirstSuccessor $contacts[$first] -SecondSuccessor $contacts[$second] `
            -PingInterval $PingInterval @Extra @data | Out-Null
    }
    $contacts
}

function Wait-Condition {
    <# Polls a condition until it holds or the deadline passes; fails with the reason otherwise. #>
    param(
        [Parameter(Mandatory)] [scriptblock] $Condition,
        [double] $TimeoutSeconds = 30,
        [Parameter(Mandatory)] [string] $Because
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return }
        Start-Sleep -Milliseconds 100
    }
    if (& $Condition) { return }
    throw "Timed out after $TimeoutSeconds s waiting until $Because."
}

function Get-PeerEvent {
    <# The events a local peer has raised so far (kept in its job, not consumed): the ring's story and its pings, in order. #>
    param([Parameter(Mandatory)] [ulong] $Id, [string] $Kind)
    $events = foreach ($job in Get-Job -Name "DhtPeer$Id" -ErrorAction Ignore) {
        @(Receive-Job -Job $job -Keep -ErrorAction Ignore -WarningAction Ignore) + @($job.Pings) | Sort-Object Time -Stable
    }
    if ($Kind) { $events = $events | Where-Object { "$($_.Kind)" -eq $Kind } }
    $events
}

function Stop-TestRing {
    <# Stops every local peer at once (telling nobody) and forgets their jobs, so the next test's events start clean. #>
    Get-DhtPeer | Stop-DhtPeer -Abrupt -Confirm:$false
    Get-Job -Name 'DhtPeer*' -ErrorAction Ignore | Remove-Job -Force
}

function Get-RingEvent {
    <# What a local peer said about the ring, in order: every event but the pings and its start. #>
    param([Parameter(Mandatory)] [ulong] $Id)
    $chatter = 'Started', 'PingRequestsSent', 'PingRequestReceived', 'PingResponseReceived'
    @(Get-PeerEvent $Id | Where-Object { "$($_.Kind)" -notin $chatter } | ForEach-Object Message)
}

function Test-RingSettled {
    <#
    True when the local peers with these ids form exactly that ring: each has the next two ids
    as successors and has heard the previous two ping it.
    #>
    param([Parameter(Mandatory)] [ulong[]] $Id)
    $ids = @($Id | Sort-Object)
    $n = $ids.Count
    for ($i = 0; $i -lt $n; $i++) {
        $peer = Get-DhtPeer -Id $ids[$i] -ErrorAction SilentlyContinue
        if (-not $peer) { return $false }
        $successors = @($ids[($i + 1) % $n], $ids[($i + 2) % $n]) | Where-Object { $_ -ne $ids[$i] } | Select-Object -Unique
        $predecessors = @($ids[($i - 1 + $n) % $n], $ids[($i - 2 + $n) % $n]) | Where-Object { $_ -ne $ids[$i] } | Select-Object -Unique
        if (($peer.Successors -join ',') -ne ($successors -join ',')) { return $false }
        if (($peer.Predecessors -join ',') -ne ($predecessors -join ',')) { return $false }
    }
    $true
}

function Assert-RingWalk {
    <# Walks the ring with Get-DhtRing and asserts its members, in order, and each one's two successors. #>
    param([Parameter(Mandatory)] [ulong[]] $Expected)
    $members = Get-DhtRing -ErrorAction Stop
    $members.Id | Should -Be $Expected
    $n = $Expected.Count
    for ($i = 0; $i -lt $n; $i++) {
        $members[$i].Successors | Should -Be @($Expected[($i + 1) % $n], $Expected[($i + 2) % $n])
    }
}

function Start-PeerProcess {
    <#
    .SYNOPSIS
        Runs one peer in a child pwsh process, joining the ring through a known peer; returns the Process.
        The child exits on its own when this process goes away.
    #>
    param(
        [Parameter(Mandatory)] [ulong] $Id,
        [Parameter(Mandatory)] [int] $Port,
        [Parameter(Mandatory)] [string] $KnownPeer,
        [double] $PingInterval = 1,
        [Parameter(Mandatory)] [string] $LogFolder
    )
    $arguments = @(
        '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'PeerProcess.ps1'),
        '-Manifest', (Join-Path $PSScriptRoot '../../DhtPs.psd1'), '-Id', $Id, '-Port', $Port,
        '-KnownPeer', $KnownPeer, '-PingInterval', $PingInterval, '-ParentId', $PID
    )
    Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList $arguments -PassThru `
        -RedirectStandardOutput (Join-Path $LogFolder "peer$Id.out.txt") -RedirectStandardError (Join-Path $LogFolder "peer$Id.err.txt")
}

Export-ModuleMember -Function Get-FreePort, Start-TestRing, Wait-Condition, Get-PeerEvent, Get-RingEvent, Stop-TestRing, Test-RingSettled, Assert-RingWalk, Start-PeerProcess
