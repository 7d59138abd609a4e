BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
}

Describe 'A ring of seven initialised peers (SPEC section 3)' {
    BeforeAll {
        $script:ring = New-DhtTestRing -Id 2, 4, 5, 8, 9, 14, 19 -Routing Successor
        $script:expected = @{
            2 = @{ Successors = 4, 5; Predecessors = 19, 14 }
            4 = @{ Successors = 5, 8; Predecessors = 2, 19 }
            5 = @{ Successors = 8, 9; Predecessors = 4, 2 }
            8 = @{ Successors = 9, 14; Predecessors = 5, 4 }
            9 = @{ Successors = 14, 19; Predecessors = 8, 5 }
            14 = @{ Successors = 19, 2; Predecessors = 9, 8 }
            19 = @{ Successors = 2, 4; Predecessors = 14, 9 }
        }
        $script:allLearned = {
            foreach ($peer in Get-DhtPeer) {
                if (($peer.Predecessors -join ',') -ne ($expected[[int]$peer.Id].Predecessors -join ',')) { return $false }
            }
            $true
        }
        Wait-Condition -Because 'every peer learned its two predecessors' -TimeoutSeconds 20 -Condition $allLearned
    }
    AfterAll {
        Remove-DhtTestRing
    }

    It 'lists all seven peers as running, with the successors they were given' {
        $peers = Get-DhtPeer
        $peers.Id | Should -Be 2, 4, 5, 8, 9, 14, 19
        foreach ($peer in $peers) {
            $peer.State | Should -Be 'Running'
            $peer.Successors | Should -Be $expected[[int]$peer.Id].Successors
            $peer.PingInterval | Should -Be ([timespan]::FromSeconds(1))
        }
    }

    It 'gives peer <_> exactly its first and second predecessor' -ForEach 2, 4, 5, 8, 9, 14, 19 {
        (Get-DhtPeer -Id $_).Predecessors | Should -Be $expected[$_].Predecessors
    }

    It 'makes peer <_> ping both successors and hear both answer' -ForEach 2, 4, 5, 8, 9, 14, 19 {
        $id = $_
        $successors = $expected[$id].Successors
        Wait-Condition -Because "peer $id heard both successors answer" -Condition {
            $answered = Get-PeerEvent $id -Kind PingResponseReceived | ForEach-Object RemotePeerId | Sort-Object -Unique
            @($answered).Count -eq 2
        }
        $sent = Get-PeerEvent $id -Kind PingRequestsSent
        $sent[0].Message | Should -BeExactly "Ping requests sent to Peers $($successors[0]) and $($successors[1])"
        $responses = Get-PeerEvent $id -Kind PingResponseReceived | ForEach-Object Message | Sort-Object -Unique
        $responses | Should -Be ($successors | ForEach-Object { "Ping response received from Peer $_" } | Sort-Object)
    }

    It 'makes peer <_> hear ping requests from exactly its predecessors' -ForEach 2, 4, 5, 8, 9, 14, 19 {
        $requests = Get-PeerEvent $_ -Kind PingRequestReceived
        ($requests.RemotePeerId | Sort-Object -Unique) | Should -Be ($expected[$_].Predecessors | Sort-Object)
        ($requests.Message | Sort-Object -Unique) |
            Should -Be ($expected[$_].Predecessors | ForEach-Object { "Ping request message received from Peer $_" } | Sort-Object)
    }

    It 'shows every peer as a DhtPeerJob that Get-Job lists' {
        $jobs = Get-Job -Name 'DhtPeer*' | Where-Object State -EQ 'Running'
        $jobs.Name | Sort-Object | Should -Be ('DhtPeer14', 'DhtPeer19', 'DhtPeer2', 'DhtPeer4', 'DhtPeer5', 'DhtPeer8', 'DhtPeer9' | Sort-Object)
        $jobs | ForEach-Object { $_.PSJobTypeName | Should -Be 'DhtPeerJob' }
    }

    It 'raises each event as a .NET event that Register-ObjectEvent receives as EventArgs' {
        $job = Get-Job -Name DhtPeer5
        Register-ObjectEvent -InputObject $job.Peer -EventName EventRaised -SourceIdentifier Peer5Events
        try {
            $raised = Wait-Event -SourceIdentifier Peer5Events -Timeout 10
            $raised.SourceEventArgs | Should -BeOfType ([DhtPs.Core.Peer.DhtEvent])
            $raised.SourceEventArgs.PeerId | Should -Be 5
        } finally {
            Unregister-Event -SourceIdentifier Peer5Events
            Remove-Event -SourceIdentifier Peer5Events -ErrorAction Ignore
        }
    }

    It 'streams typed events through Receive-Job, starting with the peer''s Started event' {
        $event = Receive-Job -Name DhtPeer8 -Keep | Select-Object -First 1
        $event | Should -BeOfType ([DhtPs.Core.Peer.DhtEvent])
        $event.PeerId | Should -Be 8
        $event.Time | Should -BeOfType ([DateTimeOffset])
        $event.Kind | Should -Be 'Started'
        $event.Message | Should -BeExactly "Peer 8 is listening on $((Get-DhtPeer -Id 8).EndPoint)"
    }

    It 'gets the peer of a job piped from Get-Job, not the peer whose id is the job''s number' {
        # Job numbers are small and so are these peer ids: a job bound to -Id would get some other peer or none.
        # Which job numbers the peers got depends on the jobs the session made before: take one that differs.
        $job = @(2, 4, 5, 8, 9, 14, 19 | ForEach-Object { Get-Job -Name "DhtPeer$_" } | Where-Object { $_.Name -ne "DhtPeer$($_.Id)" })[0]
        $peerId = [ulong]$job.Name.Substring('DhtPeer'.Length)
        $job.Id | Should -Not -Be $peerId
        ($job | Get-DhtPeer).Id | Should -Be $peerId
    }

    It 'refuses a job that is not a DhtPs peer with an error record' {
        $other = Start-Job -ScriptBlock { 1 }
        try {
            $other | Get-DhtPeer -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
            $failed.FullyQualifiedErrorId | Should -Be 'NotADhtPeerJob,DhtPs.Commands.GetDhtPeerCommand'
            $failed.CategoryInfo.Category | Should -Be 'InvalidArgument'
        } finally {
            $other | Remove-Job -Force
        }
    }
}

Describe 'Peer lifetime' {
    AfterEach {
        Get-DhtPeer | Stop-DhtPeer -Confirm:$false
    }

    It 'keeps a peer running with -WhatIf and stops it for real without' {
        $port = Get-FreePort
        Start-DhtPeer -Id 30 -Port $port | Out-Null
        Stop-DhtPeer -Id 30 -WhatIf
        (Get-DhtPeer -Id 30).State | Should -Be 'Running'
        Get-DhtPeer -Id 30 | Stop-DhtPeer -Confirm:$false
        Get-DhtPeer -Id 30 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'frees the port on Stop-Job so another peer can take it' {
        $port = Get-FreePort
        Start-DhtPeer -Id 31 -Port $port | Out-Null
        Stop-Job -Name DhtPeer31
        (Get-Job -Name DhtPeer31).State | Should -Be 'Stopped'
        Wait-Condition -Because 'the stopped peer left the registry' -TimeoutSeconds 5 -Condition { -not (Get-DhtPeer -Id 31 -ErrorAction SilentlyContinue) }
        $endPoint = (Start-DhtPeer -Id 32 -Port $port).EndPoint
        $endPoint | Should -BeOfType System.Net.IPEndPoint
        "$endPoint" | Should -Be "127.0.0.1:$port"
    }

    It 'stops the peer of a job piped from Get-Job' {
        Start-DhtPeer -Id 34 -Port (Get-FreePort) | Out-Null
        Get-Job -Name DhtPeer34 | Stop-DhtPeer -Confirm:$false
        (Get-Job -Name DhtPeer34).State | Should -Be 'Stopped'
        Get-DhtPeer -Id 34 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a second peer with an id already running, with an error record' {
        Start-DhtPeer -Id 33 -Port (Get-FreePort) | Out-Null
        { Start-DhtPeer -Id 33 -Port (Get-FreePort) -ErrorAction Stop } |
            Should -Throw -ErrorId 'DhtPeerAlreadyRunning,DhtPs.Commands.StartDhtPeerCommand'
    }

    It 'refuses an id outside the id space' {
        { Start-DhtPeer -Id 256 -Port 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDhtPeerOptions,DhtPs.Commands.StartDhtPeerCommand'
        (Start-DhtPeer -Id 256 -IdBits 16 -Port 0).Id | Should -Be 256
    }

    It 'reports a port already in use as an error record, not a crash' {
        $port = Get-FreePort
        Start-DhtPeer -Id 34 -Port $port | Out-Null
        $error.Clear()
        Start-DhtPeer -Id 35 -Port $port -ErrorAction SilentlyContinue
        $error[0].FullyQualifiedErrorId | Should -Be 'DhtPeerCannotListen,DhtPs.Commands.StartDhtPeerCommand'
        $error[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
    }

    It 'names an unknown peer in a not-found error' {
        $error.Clear()
        Get-DhtPeer -Id 99 -ErrorAction SilentlyContinue
        $error[0].FullyQualifiedErrorId | Should -Be 'DhtPeerNotFound,DhtPs.Commands.GetDhtPeerCommand'
        $error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $error[0].TargetObject | Should -Be 99
    }

    It 'stops every peer and frees its ports when the module is removed' {
        $port = Get-FreePort
        Start-DhtPeer -Id 36 -Port $port | Out-Null
        Remove-Module DhtPs
        try {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
            { $listener.Start() } | Should -Not -Throw
            $listener.Stop()
        } finally {
            Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
        }
        Get-DhtPeer | Should -BeNullOrEmpty
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
