# Helpers shared by the Pester suites beyond the module's own test rings (New-DhtTestRing, Wait-DhtRing, the
# Should operators): free ports, waiting on conditions, peer events, and peers in processes of their own.

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
    <# Stops every local peer at once (telling nobody) and forgets their jobs, so the next test's events start clean: for the peers a test started itself, beside its test ring. #>
    Get-DhtPeer | Stop-DhtPeer -Abrupt -Confirm:$false
    Get-Job -Name 'DhtPeer*' -ErrorAction Ignore | Remove-Job -Force
}

function Get-RingEvent {
    <# What a local peer said about the ring, in order: every event but the pings and its start. #>
    param([Parameter(Mandatory)] [ulong] $Id)
    $chatter = 'Started', 'PingRequestsSent', 'PingRequestReceived', 'PingResponseReceived'
    @(Get-PeerEvent $Id | Where-Object { "$($_.Kind)" -notin $chatter } | ForEach-Object Message)
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
        [int] $ReplicationFactor = 3,
        [string] $DataPath,
        [Parameter(Mandatory)] [string] $LogFolder
    )
    $arguments = @(
        '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'PeerProcess.ps1'),
        '-Manifest', (Join-Path $PSScriptRoot '../../DhtPs.psd1'), '-Id', $Id, '-Port', $Port,
        '-KnownPeer', $KnownPeer, '-PingInterval', $PingInterval, '-ReplicationFactor', $ReplicationFactor, '-ParentId', $PID
    )
    if ($DataPath) { $arguments += '-DataPath', $DataPath }
    Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList $arguments -PassThru `
        -RedirectStandardOutput (Join-Path $LogFolder "peer$Id.out.txt") -RedirectStandardError (Join-Path $LogFolder "peer$Id.err.txt")
}

Export-ModuleMember -Function Get-FreePort, Wait-Condition, Get-PeerEvent, Get-RingEvent, Stop-TestRing, Start-PeerProcess
