BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
    $script:original = [ulong[]](2, 4, 5, 8, 9, 14, 19)

    function Get-PingerSince([ulong] $Id, [DateTimeOffset] $Since) {
        Get-PeerEvent $Id -Kind PingRequestReceived | Where-Object Time -GT $Since | ForEach-Object RemotePeerId | Sort-Object -Unique
    }
}

Describe 'Leaving the ring 2, 4, 5, 8, 9, 14, 19' {
    BeforeEach {
        $script:ring = New-DhtTestRing -Id $original -Routing Successor
    }
    AfterEach {
        Remove-DhtTestRing
    }

    It 'lets peer 9 quit gracefully with exactly the original messages (SPEC section 5)' {
        Stop-DhtPeer -Id 9 -Confirm:$false
        $departed = [DateTimeOffset]::UtcNow
        Get-DhtPeer -Id 9 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        # Stop-DhtPeer returns once both predecessors have acknowledged.
        Get-RingEvent 8 | Should -Be @(
            'Peer 9 will depart from the network'
            'My new first successor is Peer 14'
            'My new second successor is Peer 19')
        Get-RingEvent 5 | Should -Be @(
            'Peer 9 will depart from the network'
            'My new first successor is Peer 8'
            'My new second successor is Peer 14')
        foreach ($id in 2, 4, 14, 19) { Get-RingEvent $id | Should -BeNullOrEmpty }

        $remaining = $original | Where-Object { $_ -ne 9 }
        Wait-DhtRing -Members $remaining | Out-Null
        Wait-Condition -Because 'pings follow the new successors' -Condition {
            ((Get-PingerSince 8 $departed) -join ',') -eq '4,5' -and
            ((Get-PingerSince 14 $departed) -join ',') -eq '5,8'
        }
        Get-DhtRing | Should -BeDhtRing 2, 4, 5, 8, 14, 19
    }

    It 'departs gracefully on Stop-Job too' {
        Stop-Job -Name DhtPeer9
        (Get-Job -Name DhtPeer9).State | Should -Be 'Stopped'
        Get-RingEvent 8 | Should -Contain 'Peer 9 will depart from the network'
        Get-RingEvent 5 | Should -Contain 'Peer 9 will depart from the network'
        Wait-DhtRing -Members ($original | Where-Object { $_ -ne 9 }) | Out-Null
    }

    It 'detects peer 14 killed abruptly through missed pings and repairs (SPEC section 6)' {
        $killed = [DateTime]::UtcNow
        Stop-DhtPeer -Id 14 -Abrupt -Confirm:$false
        Wait-Condition -Because 'peers 9 and 8 repaired their successors' -TimeoutSeconds 60 -Condition {
            ((Get-DhtPeer 9).Successors -join ',') -eq '19,2' -and ((Get-DhtPeer 8).Successors -join ',') -eq '9,19'
        }
        $detection = [DateTime]::UtcNow - $killed
        Write-Host ("    peer 14 declared dead and the ring repaired {0:0.0} s after the kill (ping interval 1 s, 3 missed pings, a suspect re-pinged every 0.25 s)" -f $detection.TotalSeconds)
        $detection.TotalSeconds | Should -BeLessThan 60

        Get-RingEvent 9 | Should -Be @(
            'Peer 14 is no longer alive'
            'My new first successor is Peer 19'
            'My new second successor is Peer 2')
        Get-RingEvent 8 | Should -Be @(
            'Peer 14 is no longer alive'
            'My new first successor is Peer 9'
            'My new second successor is Peer 19')
        $remaining = $original | Where-Object { $_ -ne 14 }
        Wait-DhtRing -Members $remaining | Out-Null
        Get-DhtRing | Should -BeDhtRing 2, 4, 5, 8, 9, 19
    }

    It 'closes the ring when two adjacent peers, 9 and 14, are killed at once' {
        Stop-DhtPeer -Id 9, 14 -Abrupt -Confirm:$false
        $remaining = [ulong[]](2, 4, 5, 8, 19)
        Wait-DhtRing -Members $remaining -Timeout 60 | Out-Null
        Get-RingEvent 8 | Should -Contain 'Peer 9 is no longer alive'
        Get-RingEvent 8 | Should -Contain 'Peer 14 is no longer alive'
        Get-RingEvent 5 | Should -Contain 'Peer 9 is no longer alive'
        Get-DhtRing | Should -BeDhtRing 2, 4, 5, 8, 19
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
