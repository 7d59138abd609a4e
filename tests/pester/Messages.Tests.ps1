# Error messages say what went wrong once, in the user's terms.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
}
AfterAll { Stop-TestRing }

Describe 'Error messages' {
    It 'an unreachable known peer is said to be unreachable once' {
        $port = Get-FreePort
        Start-DhtPeer -Id 70 -Port 0 -KnownPeer "127.0.0.1:$port" -JoinTimeout 2 -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtKnownPeerUnreachable,*'
        $failed[0].Exception.Message | Should -BeLike "The join request through 127.0.0.1:$port failed: Peer at 127.0.0.1:$port *"
        $failed[0].Exception.Message | Should -Not -Match 'could not be reached.*could not be reached'
    }

    It 'an unsafe name does not end in "(Parameter ''name'')"' {
        $null = Start-DhtPeer -Id 71 -Port 0
        Resolve-DhtKey -Name '../2067' -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtUnsafeFileName,*'
        $failed[0].Exception.Message | Should -Be "'../2067' is not a safe file name: it contains a path separator."
        Stop-TestRing
    }

    It 'a successor without an id is told that successors need id@host:port' {
        Start-DhtPeer -Id 72 -Port 0 -FirstSuccessor '127.0.0.1:5' -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDhtPeerOptions,*'
        $failed[0].Exception.Message | Should -Be "-FirstSuccessor '127.0.0.1:5' is not a successor: name it as an id (127.0.0.1:12000+id) or id@host:port."
    }

    It 'a walk whose start does not answer says it could not start' {
        $port = Get-FreePort
        Get-DhtRing -Via "127.0.0.1:$port" -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Be 'DhtRingStartUnreachable,DhtPs.Commands.GetDhtRingCommand'
        $failed[0].Exception.Message | Should -BeLike "The ring walk could not start: Peer at 127.0.0.1:$port *"
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
