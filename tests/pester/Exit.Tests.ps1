# A session that ends takes nothing with it: `exit`, SIGTERM and Remove-Module make every peer of the session depart
# gracefully (files handed on, predecessors told), one after another along the ring, within -DepartTimeout.
BeforeDiscovery {
    $script:noSignals = if ($IsWindows) { 'POSIX signals are sent with kill, which Windows has not' }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing

    # Peers 9 and 10, neighbours in the ring, in a pwsh of their own; it ends its session with $Ending once $Trigger exists.
    function Start-SessionProcess([int[]] $Port, [string] $KnownPeer, [string] $Ending, [string] $Trigger, [string] $Log) {
        $manifest = Join-Path $PSScriptRoot '../../DhtPs.psd1'
        $command = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
Start-DhtPeer -Id 9 -Port $($Port[0]) -KnownPeer '$KnownPeer' -PingInterval 1 -ReplicationFactor 1 -DataPath '$TestDrive/peer9-$Ending' | Out-Null
Start-DhtPeer -Id 10 -Port $($Port[1]) -KnownPeer '$KnownPeer' -PingInterval 1 -ReplicationFactor 1 -DataPath '$TestDrive/peer10-$Ending' | Out-Null
while (-not (Test-Path '$Trigger')) { Start-Sleep -Milliseconds 50 }
$Ending
exit 0
"@
        Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -PassThru -RedirectStandardOutput $Log -RedirectStandardError "$Log.err" `
            -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $command
    }

    function Get-RingText { (Get-DhtRing -Via 2 -ErrorAction SilentlyContinue).ForEach({ "$($_.Id):$($_.Successors -join ',')" }) -join ' ' }
}

Describe 'A session that ends' -Skip:([bool]$noSignals) {
    BeforeAll {
        $script:ports = Get-FreePort -Count 4
        $script:two = "2@127.0.0.1:$($ports[0])"
        Start-DhtPeer -Id 2 -Port $ports[0] -PingInterval 1 -DataPath (Join-Path $TestDrive 'peer2') | Out-Null
        Start-DhtPeer -Id 14 -Port $ports[3] -KnownPeer $two -PingInterval 1 -DataPath (Join-Path $TestDrive 'peer14') | Out-Null
        $script:children = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
    }
    AfterAll {
        # A case that failed may have left its session running: none outlives the tests.
        $children | Where-Object { -not $_.HasExited } | ForEach-Object { Stop-Process -Id $_.Id -Force }
        Stop-TestRing
    }

    It 'departs gracefully on <Ending>: both of its peers hand their files to 14 and are logged as departed, not dead' -ForEach @(
        @{ Ending = 'Start-Sleep 600'; Signal = 'TERM'; Case = 0 }   # killed with SIGTERM while it sleeps
        @{ Ending = 'exit 0'; Case = 1 }
        @{ Ending = 'Remove-Module DhtPs'; Case = 2 }
    ) {
        $trigger = Join-Path $TestDrive "end-$Case"
        $log = Join-Path $TestDrive "session-$Case.txt"
        $child = Start-SessionProcess -Port $ports[1], $ports[2] -KnownPeer $two -Ending $Ending -Trigger $trigger -Log $log
        $children.Add($child)
        Wait-Condition -Because 'the session''s peers 9 and 10 joined and the ring of 2, 9, 10, 14 settled' -TimeoutSeconds 60 -Condition {
            (Get-RingText) -eq '2:9,10 9:10,14 10:14,2 14:2,9'
        }
        # Keys 9 and 10 (a four-digit name mod 256): one file at each of the session's peers, new names in each case.
        $files = foreach ($key in 9, 10) {
            $path = Join-Path $TestDrive "$($key + 2048 + 256 * $Case)"
            [IO.File]::WriteAllBytes($path, [byte[]](1..(100 + $key)))
            $stored = Save-DhtFile $path -Via 2
            $stored.StoredAt | Should -Be $key
            $stored
        }
        $ended = [DateTimeOffset]::UtcNow

        New-Item -ItemType File $trigger | Out-Null
        if ($Signal) {
            Start-Sleep -Milliseconds 200   # past the trigger: the session is in its last command
            & kill "-$Signal" $child.Id
        }
        $child.WaitForExit(60000) | Should -BeTrue
        $child.ExitCode | Should -Be 0
        Get-Content "$log.err" -ErrorAction Ignore | Should -BeNullOrEmpty

        Wait-Condition -Because 'the ring closed around 9 and 10' -TimeoutSeconds 20 -Condition { (Get-RingText) -eq '2:14 14:2' }
        @(Get-PeerEvent 2 -Kind DepartureNoticeReceived | Where-Object Time -GT $ended).Message |
            Should -Be 'Peer 9 will depart from the network', 'Peer 10 will depart from the network'
        @(Get-PeerEvent 2 -Kind SuccessorDead) + @(Get-PeerEvent 14 -Kind SuccessorDead) | Where-Object Time -GT $ended | Should -BeNullOrEmpty
        foreach ($stored in $files) {
            $back = Get-DhtFile $stored.Name -Via 2 -Destination (Join-Path $TestDrive "back-$($stored.Name)")
            $back.StoredAt | Should -Be 14
            $back.Sha256 | Should -Be $stored.Sha256
        }
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
