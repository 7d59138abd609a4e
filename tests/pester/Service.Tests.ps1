# A peer run as a service (Start-DhtPeer -Wait) in a pwsh of its own: timestamped event lines on standard output,
# and SIGTERM or SIGINT end it with a graceful departure, which its neighbours log as a departure, not a death.
BeforeDiscovery {
    $script:noSignals = if ($IsWindows) { 'POSIX signals are sent with kill, which Windows has not' }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    Stop-TestRing

    function Start-ServiceProcess([ulong] $Id, [int] $Port, [string] $KnownPeer, [string] $Log, [string] $DataPath) {
        $manifest = Join-Path $PSScriptRoot '../../DhtPs.psd1'
        $command = "Import-Module '$manifest'; Start-DhtPeer -Id $Id -Port $Port -KnownPeer '$KnownPeer' -PingInterval 1 -DataPath '$DataPath' -Wait"
        # env resets SIGINT to its default: a shell that started this run in the background may have left it ignored,
        # and a service manager never does.
        Start-Process -FilePath env -PassThru -RedirectStandardOutput $Log -RedirectStandardError "$Log.err" -ArgumentList @(
            '--default-signal=INT', (Join-Path $PSHOME 'pwsh'), '-NoProfile', '-NonInteractive', '-Command', $command)
    }
}

Describe 'A peer as a service (Start-DhtPeer -Wait)' -Skip:([bool]$noSignals) {
    BeforeAll {
        $script:ports = Get-FreePort -Count 3
        $script:two = "2@127.0.0.1:$($ports[0])"
        Start-DhtPeer -Id 2 -Port $ports[0] -PingInterval 1 | Out-Null
        Start-DhtPeer -Id 14 -Port $ports[2] -KnownPeer $two -PingInterval 1 | Out-Null
        $script:file = Join-Path $TestDrive '2057'    # key 2057 mod 256 = 9: stored at the service peer
        [IO.File]::WriteAllBytes($file, [byte[]](1..200))
    }
    AfterAll {
        if ($child -and -not $child.HasExited) { Stop-Process -Id $child.Id -Force }
        Stop-TestRing
    }

    It 'departs gracefully on <Signal>, exits with code 0, and wrote its events as timestamped lines' -ForEach @(
        @{ Signal = 'TERM' }, @{ Signal = 'INT' }
    ) {
        $log = Join-Path $TestDrive "peer9-$Signal.txt"
        $script:child = Start-ServiceProcess -Id 9 -Port $ports[1] -KnownPeer $two -Log $log -DataPath (Join-Path $TestDrive "peer9-$Signal")
        Wait-Condition -Because 'the service peer 9 joined and the ring of 2, 9, 14 settled' -TimeoutSeconds 60 -Condition {
            (Get-DhtRing -Via 2 -ErrorAction SilentlyContinue).ForEach({ "$($_.Id):$($_.Successors -join ','):$($_.Predecessors -join ',')" }) -join ' ' -eq
                '2:9,14:14,9 9:14,2:2,14 14:2,9:9,2'
        }
        (Save-DhtFile $file -Via 2).StoredAt | Should -Be 9
        $signalled = [DateTimeOffset]::UtcNow

        & kill "-$Signal" $child.Id
        $child.WaitForExit(30000) | Should -BeTrue
        $child.ExitCode | Should -Be 0

        foreach ($neighbour in 2, 14) {
            Wait-Condition -Because "peer $neighbour logged the departure" -TimeoutSeconds 10 -Condition {
                @(Get-PeerEvent $neighbour -Kind DepartureNoticeReceived | Where-Object Time -GT $signalled).Message -contains 'Peer 9 will depart from the network'
            }
        }
        Wait-Condition -Because 'the ring closed around 9' -TimeoutSeconds 20 -Condition { (Get-DhtRing -Via 2 -ErrorAction SilentlyContinue).Id -join ',' -eq '2,14' }
        @(Get-PeerEvent 2 -Kind SuccessorDead) + @(Get-PeerEvent 14 -Kind SuccessorDead) | Where-Object Time -GT $signalled | Should -BeNullOrEmpty
        # Handed over on the way out: the file is still in the ring.
        (Get-DhtFile 2057 -Via 2 -Destination (Join-Path $TestDrive "back-$Signal")).StoredAt | Should -Be 14

        $lines = @(Get-Content $log)
        $stamp = '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z peer 9 '
        $lines | Should -Not -BeNullOrEmpty
        $lines | ForEach-Object { $_ | Should -Match $stamp }
        $lines[0] | Should -Match "Started: Peer 9 is listening on 127\.0\.0\.1:$($ports[1])$"
        $lines | Should -Contain ($lines | Where-Object { $_ -match 'JoinAccepted: Join request has been accepted$' })
        $lines[-1] | Should -Match 'Stopped: Peer 9 has stopped$'
        $lines -match 'Ping' | Should -BeNullOrEmpty
        Get-Content "$log.err" -Raw | Should -BeNullOrEmpty
    }
}
