BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
    $script:original = [ulong[]](2, 4, 5, 8, 9, 14, 19)
}

Describe 'Joining the ring 2, 4, 5, 8, 9, 14, 19 (SPEC section 4)' {
    BeforeEach {
        $script:ring = New-DhtTestRing -Id $original -Routing Successor
    }
    AfterEach {
        Remove-DhtTestRing
        Stop-TestRing
    }

    It 'joins peer 15 through peer 4 with exactly the original messages' {
        $joined = Start-DhtPeer -Id 15 -Port 0 -KnownPeer $ring[4] -PingInterval 1 -Routing Successor
        $joined.State | Should -Be 'Running'
        $joined.Successors | Should -Be 19, 2
        Wait-Condition -Because 'peer 9 took the successor change' -Condition { (Get-DhtPeer 9).Successors -join ',' -eq '14,15' }

        foreach ($id in 4, 5, 8) { Get-RingEvent $id | Should -Be @('Peer 15 Join request forwarded to my successor') }
        Get-RingEvent 9 | Should -Be @(
            'Peer 15 Join request forwarded to my successor'
            'Successor Change request received'
            'My new first successor is Peer 14'
            'My new second successor is Peer 15')
        Get-RingEvent 14 | Should -Be @(
            'Peer 15 Join request received'
            'My new first successor is Peer 15'
            'My new second successor is Peer 19')
        Get-RingEvent 15 | Should -Be @(
            'Join request has been accepted'
            'My first successor is Peer 19'
            'My second successor is Peer 2')
        (Get-DhtPeer 14).Successors | Should -Be 15, 19
        Wait-DhtRing -Members ($original + 15) | Out-Null
        Get-DhtRing | Should -BeDhtRing 2, 4, 5, 8, 9, 14, 15, 19
    }

    It 'joins through the exact predecessor without forwarding' {
        Start-DhtPeer -Id 15 -Port 0 -KnownPeer $ring[14] -PingInterval 1 -Routing Successor | Out-Null
        Wait-DhtRing -Members ($original + 15) | Out-Null
        Get-RingEvent 14 | Should -Be @('Peer 15 Join request received', 'My new first successor is Peer 15', 'My new second successor is Peer 19')
        foreach ($id in 2, 4, 5, 8, 9, 19) {
            Get-PeerEvent $id -Kind JoinRequestForwarded | Should -BeNullOrEmpty
        }
        Get-DhtRing | Should -BeDhtRing 2, 4, 5, 8, 9, 14, 15, 19
    }

    It 'joins an id below every peer and one above every peer, both after peer 19' {
        Start-DhtPeer -Id 1 -Port 0 -KnownPeer $ring[8] -PingInterval 1 -Routing Successor | Out-Null
        Get-RingEvent 19 | Should -Be @('Peer 1 Join request received', 'My new first successor is Peer 1', 'My new second successor is Peer 2')
        Start-DhtPeer -Id 20 -Port 0 -KnownPeer $ring[2] -PingInterval 1 -Routing Successor | Out-Null
        Wait-DhtRing -Members ($original + 1 + 20) | Out-Null
        Get-DhtRing | Should -BeDhtRing 1, 2, 4, 5, 8, 9, 14, 19, 20
    }

    It 'takes in peers that join at the same time, two of them into the same gap' {
        $knownPeers = @{ 15 = $ring[4].Contact; 16 = $ring[8].Contact; 3 = $ring[19].Contact }
        $joiners = [ulong[]]$knownPeers.Keys
        foreach ($id in $joiners) { Start-DhtPeer -Id $id -Port 0 -PingInterval 1 | Out-Null }
        # Joins started together, straight on the peers, so that none waits for another.
        $joins = foreach ($entry in $knownPeers.GetEnumerator()) {
            $locator = [DhtPs.Core.Ring.PeerAddress]::Parse($entry.Value).ResolveAsync(12000, '127.0.0.1', [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            (Get-Job -Name "DhtPeer$($entry.Key)").Peer.JoinAsync($locator, [timespan]::FromSeconds(20), [Threading.CancellationToken]::None)
        }
        [Threading.Tasks.Task]::WaitAll([Threading.Tasks.Task[]]$joins, [timespan]::FromSeconds(30)) | Should -BeTrue
        Wait-DhtRing -Members ($original + $joiners) | Out-Null
        Get-DhtRing | Should -BeDhtRing 2, 3, 4, 5, 8, 9, 14, 15, 16, 19
    }

    It 'joins a running lone peer through the pipeline, by value and by property name' {
        $byValue = Start-DhtPeer -Id 15 -Port 0 -PingInterval 1 -Routing Successor | Join-DhtRing -KnownPeer $ring[4]
        $byValue.Id | Should -Be 15
        $byValue.Successors | Should -Be 19, 2
        Start-DhtPeer -Id 3 -Port 0 -PingInterval 1 -Routing Successor | Out-Null
        $byName = [pscustomobject]@{ Id = 3 } | Join-DhtRing -KnownPeer $ring[9]
        $byName.Successors | Should -Be 4, 5
        Wait-DhtRing -Members ($original + 15 + 3) | Out-Null
    }

    It 'refuses to join a peer that is already part of a ring' {
        $error.Clear()
        Join-DhtRing -Id 8 -KnownPeer $ring[4] -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $error[0].FullyQualifiedErrorId | Should -Be 'DhtPeerAlreadyInRing,DhtPs.Commands.JoinDhtRingCommand'
        $error[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'refuses a ring of another id width, and leaves no peer behind' {
        $error.Clear()
        Start-DhtPeer -Id 300 -IdBits 16 -Port 0 -KnownPeer $ring[4] -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $error[0].FullyQualifiedErrorId | Should -Be 'DhtJoinIdBitsMismatch,DhtPs.Commands.StartDhtPeerCommand'
        $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-DhtPeer -Id 300 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Join failures that need no ring' {
    AfterEach {
        Stop-TestRing
    }

    It 'starts a lone peer as a ring of one that another peer joins' {
        $lone = Start-DhtPeer -Id 7 -Port 0 -PingInterval 1 -Routing Successor
        $lone.Successors | Should -BeNullOrEmpty
        (Get-DhtRing -Via 7).Id | Should -Be 7
        Start-DhtPeer -Id 15 -Port 0 -KnownPeer "7@$($lone.EndPoint)" -PingInterval 1 -Routing Successor | Out-Null
        Wait-DhtRing -Members 7, 15 | Out-Null
        (Get-DhtRing -Via 15).Id | Should -Be 15, 7
    }

    It 'reports an unreachable known peer' {
        $error.Clear()
        Start-DhtPeer -Id 15 -Port 0 -KnownPeer "127.0.0.1:$(Get-FreePort)" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $error[0].FullyQualifiedErrorId | Should -Be 'DhtKnownPeerUnreachable,DhtPs.Commands.StartDhtPeerCommand'
        $error[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $error[0].TargetObject | Should -Be 15
        Get-DhtPeer -Id 15 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'times out when no verdict comes, and leaves the peer a ring of one' {
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            Start-DhtPeer -Id 15 -Port 0 -PingInterval 1 -Routing Successor | Out-Null
            $error.Clear()
            Join-DhtRing -Id 15 -KnownPeer "127.0.0.1:$($silent.LocalEndpoint.Port)" -JoinTimeout 0.5 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $error[0].FullyQualifiedErrorId | Should -Be 'DhtJoinTimedOut,DhtPs.Commands.JoinDhtRingCommand'
            $error[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            (Get-DhtPeer 15).State | Should -Be 'Running'
        } finally {
            $silent.Stop()
        }
    }

    It 'walks with the -Timeout it is given even when this session runs a peer' {
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            Start-DhtPeer -Id 15 -Port 0 | Out-Null
            Get-DhtRing -Via "127.0.0.1:$($silent.LocalEndpoint.Port)" -Timeout 0.3 -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
            $failed.FullyQualifiedErrorId | Should -Be 'DhtRingStartUnreachable,DhtPs.Commands.GetDhtRingCommand'
            $failed.Exception.Message | Should -BeLike 'The ring walk could not start: *did not answer within 0.3 s*'
        } finally {
            $silent.Stop()
        }
    }

    It 'refuses an id outside the id space and a known peer that names nothing' {
        { Start-DhtPeer -Id 256 -Port 0 -KnownPeer 4 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDhtPeerOptions,DhtPs.Commands.StartDhtPeerCommand'
        # -KnownPeer is a PeerAddress: text that names no peer fails at parameter binding, with the reason.
        { Start-DhtPeer -Id 15 -Port 0 -KnownPeer 'nowhere' -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,DhtPs.Commands.StartDhtPeerCommand' -ExpectedMessage '*nowhere*is not host:port*'
        { Start-DhtPeer -Id 15 -Port 0 -KnownPeer 'no-such-host.invalid:4000' -ErrorAction Stop } | Should -Throw -ErrorId 'DhtPeerAddressUnresolved,DhtPs.Commands.StartDhtPeerCommand'
        Get-DhtPeer | Should -BeNullOrEmpty
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
