BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
}

Describe 'A ring spread over several processes' {
    BeforeAll {
        # Peers 2 and 14 run here; 5, 9 and 19 each run in a pwsh process of their own. Peer 2 starts
        # as a ring of one; the others join through it, all at about the same time.
        $ids = [ulong[]](2, 5, 9, 14, 19)
        $ports = Get-FreePort -Count $ids.Count
        $script:contacts = @{}
        for ($i = 0; $i -lt $ids.Count; $i++) { $contacts[[int]$ids[$i]] = "$($ids[$i])@127.0.0.1:$($ports[$i])" }
        Start-DhtPeer -Id 2 -Port $ports[0] -PingInterval 1 | Out-Null
        $script:children = @{}
        foreach ($i in 1, 2, 4) {
            $children[[int]$ids[$i]] = Start-PeerProcess -Id $ids[$i] -Port $ports[$i] -KnownPeer $contacts[2] -ReplicationFactor 1 -LogFolder $TestDrive
        }
        Start-DhtPeer -Id 14 -Port $ports[3] -KnownPeer $contacts[2] -PingInterval 1 | Out-Null
        # Each member as "id: successors; predecessors", in ring order from peer 2.
        $script:describe = {
            (Get-DhtRing -Via 2 -ErrorAction SilentlyContinue).ForEach({ "$($_.Id): $($_.Successors -join ','); $($_.Predecessors -join ',')" }) -join ' | '
        }
    }
    AfterAll {
        foreach ($child in $children.Values) { Stop-Process -Id $child.Id -Force -ErrorAction Ignore }
        Stop-TestRing
    }

    It 'walks the ring across the processes, in order, with every member''s neighbours' {
        Wait-DhtRing -Via 2 -Members 2, 5, 9, 14, 19 -Timeout 60 | Out-Null
        & $describe | Should -Be '2: 5,9; 19,14 | 5: 9,14; 2,19 | 9: 14,19; 5,2 | 14: 19,2; 9,5 | 19: 2,5; 14,9'
        $ring = Get-DhtRing -Via $contacts[9]
        $ring.Id | Should -Be 9, 14, 19, 2, 5
        $ring.ForEach({ $_.Successors -join ',' }) | Should -Be '14,19', '19,2', '2,5', '5,9', '9,14'
        $ring.ForEach({ $_.Predecessors -join ',' }) | Should -Be '5,2', '9,5', '14,9', '19,14', '2,19'
        $ring | Should -BeOfType ([DhtPs.Core.Peer.DhtRingMember])
        "$($ring[0].EndPoint)" | Should -Be ($contacts[9] -replace '^9@')
    }

    It 'repairs around a peer process killed with SIGKILL' {
        Wait-DhtRing -Via 2 -Members 2, 5, 9, 14, 19 -Timeout 60 | Out-Null
        $killed = [DateTimeOffset]::UtcNow
        Stop-Process -Id $children[9].Id -Force
        $children[9].WaitForExit(10000) | Should -BeTrue

        # Peers 5 (another process) and 2 (here) close the ring around peer 9.
        Wait-DhtRing -Via 2 -Members 2, 5, 14, 19 -Timeout 60 | Out-Null
        & $describe | Should -Be '2: 5,14; 19,14 | 5: 14,19; 2,19 | 14: 19,2; 5,2 | 19: 2,5; 14,5'
        Get-RingEvent 2 | Select-Object -Last 3 |
            Should -Be @('Peer 9 is no longer alive', 'My new first successor is Peer 5', 'My new second successor is Peer 14')
        (Get-PeerEvent 2 -Kind SuccessorDead | Where-Object Time -GT $killed).Message | Should -Be 'Peer 9 is no longer alive'
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
