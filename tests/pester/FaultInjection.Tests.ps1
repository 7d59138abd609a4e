# The loss injector (Start-DhtPeer -FaultInjection) on a real ring of real sockets: datagrams are really lost, and the
# ring rides it out without declaring a live peer dead.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    Stop-TestRing
}

Describe 'Start-DhtPeer -FaultInjection' {
    AfterEach {
        Stop-TestRing
    }

    It 'takes a hashtable, a [pscustomobject] or a FaultInjection that crossed a process as CliXml' {
        $faults = [DhtPs.Core.Transport.Faults.FaultInjection]@{ DatagramLossRate = 0.25; Seed = 4; DatagramDirection = 'Both' }
        $crossed = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($faults))
        $crossed.pstypenames | Should -Contain 'Deserialized.DhtPs.Core.Transport.Faults.FaultInjection'
        $given = @(
            @{ DatagramLossRate = 0.25; Seed = 4; DatagramDirection = 'Both' }
            [pscustomobject]@{ DatagramLossRate = 0.25; Seed = 4; DatagramDirection = 'Both' }
            $crossed
        )
        $id = 20
        foreach ($faultInjection in $given) {
            $peer = Start-DhtPeer -Id ($id++) -Port 0 -PingInterval 600 -FaultInjection $faultInjection
            $peer.State | Should -Be 'Running'
        }
        $crossed.IsActive | Should -BeTrue -Because 'the read-only IsActive crossed too, and was left out of the conversion'
    }

    It 'refuses a loss rate outside 0 to 1 with InvalidDhtPeerOptions, starting nothing' {
        Start-DhtPeer -Id 30 -Port 0 -FaultInjection @{ DatagramLossRate = 1.5 } -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -Be 'InvalidDhtPeerOptions,DhtPs.Commands.StartDhtPeerCommand'
        $refused[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($refused[0].Exception.Message)" | Should -Match 'DatagramLossRate'
        Get-DhtPeer -Id 30 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'is left out of the parameters tab completion offers and of the syntax, and documented' {
        $parameter = (Get-Command Start-DhtPeer).Parameters['FaultInjection']
        @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).DontShow | Should -Not -Contain $false
        (Get-Help Start-DhtPeer -Parameter FaultInjection).description.Text | Should -Match 'For tests only'
        # DontShow: tab completion offers it only to someone who types its name.
        $offered = (TabExpansion2 -inputScript 'Start-DhtPeer -' -cursorColumn 15).CompletionMatches.CompletionText
        $offered | Should -Contain '-SecretFile'
        $offered | Should -Not -Contain '-FaultInjection'
        (Get-Help Start-DhtPeer).syntax | Out-String | Should -Not -Match 'FaultInjection'
    }
}

Describe 'A ring of 8 on real sockets, every member losing 5 % of the datagrams it sends' {
    BeforeAll {
        # 40 ping rounds at 0.5 s: about 640 pings, of which about 10 % lose the ping or its answer.
        $script:interval = 0.5
        $script:duration = [TimeSpan]::FromSeconds(20)
        $script:ring = New-DhtTestRing 8 -PingInterval $interval -PeerParameter @{ FaultInjection = @{ DatagramLossRate = 0.05; Seed = 13 } }
        $script:ids = $ring.Members.Id
        $script:started = [DateTimeOffset]::UtcNow
        # Bounded: the time is the test's budget, not a wait for something to happen.
        Wait-Condition -TimeoutSeconds ($duration.TotalSeconds + 30) -Because "the ring ran $($duration.TotalSeconds) s under loss" -Condition {
            [DateTimeOffset]::UtcNow - $started -ge $duration
        }
        $script:events = foreach ($id in $ids) { Get-PeerEvent $id | Where-Object Time -GT $started }
    }
    AfterAll {
        Remove-DhtTestRing
    }

    It 'really lost pings: fewer answers came back than pings went out' {
        $rounds = @($events | Where-Object { "$($_.Kind)" -eq 'PingRequestsSent' })
        $pings = ($rounds | ForEach-Object { ([regex]::Matches($_.Message, '\d+')).Count } | Measure-Object -Sum).Sum
        $answers = @($events | Where-Object { "$($_.Kind)" -eq 'PingResponseReceived' }).Count
        Write-Host ("    {0} pings in {1} rounds, {2} answered ({3:P1}); 5 % loss each way predicts about 90 %" -f $pings, $rounds.Count, $answers, ($answers / $pings))
        $pings | Should -BeGreaterThan 300
        ($answers / $pings) | Should -BeLessThan 0.97 -Because 'a ring without loss answers practically every ping'
        ($answers / $pings) | Should -BeGreaterThan 0.75 -Because 'at 5 % loss each way most pings are answered'
    }

    It 'declared no live peer dead: not one "is no longer alive" event, and the ring is whole' {
        $evictions = @($events | Where-Object { "$($_.Kind)" -eq 'SuccessorDead' } | ForEach-Object { "peer $($_.PeerId): $($_.Message)" })
        $evictions | Should -BeNullOrEmpty
        Get-DhtRing | Should -BeDhtRing $ids
    }
}
