# New-DhtTestRing, Wait-DhtRing, Test-DhtRing, Remove-DhtTestRing and the Should operators, tested through themselves.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # Its expected rings and texts are those of two successors and one copy (the original); copies: Replicas.Tests.ps1.
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
    $script:manifest = Join-Path $PSScriptRoot '../../DhtPs.psd1'

    # What a test ring leaves behind once removed: its jobs, processes, listening ports and data folder.
    function Get-RingLeftover([DhtPs.Testing.DhtTestRing] $Ring, [int[]] $ProcessId) {
        @(
            $Ring.Members | Where-Object { Get-Job -Name "DhtPeer$($_.Id)" -ErrorAction Ignore } | ForEach-Object { "job DhtPeer$($_.Id)" }
            $ProcessId | Where-Object { Get-Process -Id $_ -ErrorAction Ignore } | ForEach-Object { "process $_" }
            $Ring.Members | Where-Object { -not (Test-PortFree $_.Port) } | ForEach-Object { "port $($_.Port)" }
            if (Test-Path $Ring.DataRoot) { "folder $($Ring.DataRoot)" }
        )
    }

    function Test-PortFree([int] $Port) {
        try {
            $tcp = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $Port)
            $tcp.Start(); $tcp.Stop()
            $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port))
            $udp.Dispose()
            $true
        } catch [System.Net.Sockets.SocketException] { $false }
    }
}
AfterAll {
    Remove-DhtTestRing
    Stop-TestRing
}

Describe 'New-DhtTestRing -Count 8 in this session' {
    BeforeAll {
        $script:ring = New-DhtTestRing -Count 8
    }
    AfterAll {
        $ring | Remove-DhtTestRing
    }

    It 'returns the formed ring: ids spread over the id space, a data folder each, a job each' {
        $ring | Should -BeOfType DhtPs.Testing.DhtTestRing
        $ring.MemberIds | Should -Be 16, 48, 80, 112, 144, 176, 208, 240
        $ring.IsProcess | Should -BeFalse
        foreach ($member in $ring.Members) {
            $member.IsRunning | Should -BeTrue
            $member.DataPath | Should -Be (Join-Path $ring.DataRoot "peer$($member.Id)")
            (Get-Job -Name "DhtPeer$($member.Id)").State | Should -Be 'Running'
            (Get-DhtPeer -Id $member.Id).EndPoint | Should -Be $member.EndPoint
        }
        "$($ring[48])" | Should -Be "48@127.0.0.1:$($ring.Member(48).Port)"
    }

    It 'passes the ring assertions, from the ring object and from Get-DhtRing' {
        $ring | Should -BeDhtRing 16, 48, 80, 112, 144, 176, 208, 240
        Get-DhtRing -Via 112 | Should -BeDhtRing 16, 48, 80, 112, 144, 176, 208, 240
        $ring | Should -BeHealthyDhtRing
        Test-DhtRing -Via $ring.Via | Should -BeHealthyDhtRing
        Get-DhtPeer -Id 240 | Should -HaveDhtSuccessors 16, 48
        $ring[80] | Should -HaveDhtSuccessors 112, 144
        $ring | Should -Not -BeDhtRing 16, 48
    }

    It 'reports the ring with Test-DhtRing: members in order from -Via, healthy, no problems' {
        $report = Test-DhtRing -Via $ring[144]
        $report | Should -BeOfType DhtPs.Core.Diagnostics.DhtRingReport
        $report.MemberIds | Should -Be 144, 176, 208, 240, 16, 48, 80, 112
        $report.IsHealthy | Should -BeTrue
        $report.Closed | Should -BeTrue
        $report.Problems | Should -BeNullOrEmpty
        $report.Members[0].Successors | Should -Be 176, 208
    }

    It 'finds a stored file at its owner with Should -HoldDhtFile, and names the owner when it is gone' {
        $file = Join-Path $TestDrive '0100'   # key 100 -> peer 112
        Set-Content -LiteralPath $file -Value 'hundred'
        Save-DhtFile -LiteralPath $file -Via 16 | Select-Object -ExpandProperty StoredAt | Should -Be 112
        $ring | Should -HoldDhtFile '0100'
        Remove-Item (Join-Path $ring[112].DataPath '0100')
        { $ring | Should -HoldDhtFile '0100' } | Should -Throw '*peer 112 (owner): does not hold it*'
        $ring | Should -Not -HoldDhtFile '0100'
    }

    It 'fails Wait-DhtRing at its timeout with the expected and the actual rings side by side' {
        $failure = { Wait-DhtRing -Via $ring.Via -Members ($ring.MemberIds + 99) -Timeout 1 } | Should -Throw -ErrorId 'DhtRingWaitTimedOut,*' -PassThru
        $failure.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $lines = $failure.Exception.Message -split "`r?`n"
        $lines[0] | Should -BeLike 'The ring did not become the ring 16, 48, 80, 99, 112, *within 1 s*'
        $lines[1] | Should -Be '  peer  expected: successors | predecessors  actual: successors | predecessors'
        $lines | Should -Contain '    16  48, 80 | 240, 208                    48, 80 | 240, 208'
        $lines | Should -Contain '*   80  99, 112 | 48, 16                     112, 144 | 48, 16'
        $lines | Should -Contain '*   99  112, 144 | 80, 48                    (not on the ring)'
        $lines | Should -Contain '- Peer 99 is not on the ring.'
    }

    It 'stops waiting when the pipeline is stopped (Ctrl+C)' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$manifest'; Wait-DhtRing -Via '$($ring.Via)' -Count 99 -Timeout 600")
            $running = $shell.BeginInvoke()
            Wait-Condition -Because 'the wait started' -TimeoutSeconds 30 -Condition { $shell.InvocationStateInfo.State -eq 'Running' }
            Start-Sleep -Milliseconds 500   # let it block inside Wait-DhtRing
            $stopped = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $stopped.Elapsed.TotalSeconds | Should -BeLessThan 10
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $running.IsCompleted | Should -BeTrue
        } finally {
            $shell.Dispose()
        }
    }
}

Describe 'Assertions that fail name the peer that differs' {
    BeforeAll {
        $script:ring = New-DhtTestRing -Id 2, 4, 5, 8, 9
    }
    AfterAll {
        $ring | Remove-DhtTestRing
    }

    It 'names the killed member and the neighbours that moved past it' {
        $ring.Kill(5)
        $ring[5].IsRunning | Should -BeFalse
        $ring | Wait-DhtRing -Members 2, 4, 8, 9 | Select-Object -ExpandProperty IsHealthy | Should -BeTrue

        $message = { $ring | Should -BeDhtRing 2, 4, 5, 8, 9 } | Should -Throw -PassThru | ForEach-Object { $_.Exception.Message }
        $message | Should -BeLike 'Expected the ring 2, 4, 5, 8, 9, but the ring differs, peer by peer:*'
        $message | Should -BeLike '*   5  8, 9 | 4, 2 * (not on the ring)*'
        ($message -split "`r?`n") -like '- *' | Should -Be @(
            '- Peer 2 lists successors 4, 8; expected 4, 5.'
            '- Peer 4 lists successors 8, 9; expected 5, 8.'
            '- Peer 5 is not on the ring.'
            '- Peer 8 lists predecessors 4, 2; expected 5, 4.'
            '- Peer 9 lists predecessors 8, 4; expected 8, 5.')

        { Get-DhtPeer -Id 4 | Should -HaveDhtSuccessors 5, 8 } | Should -Throw 'Expected peer 4 to have successors 5, 8, but peer 4 lists successors 8, 9: successor 1 is 8, not 5; successor 2 is 9, not 8.'
    }

    It 'restarts the killed member on its port with its data, and the ring takes it back' {
        $ring.Restart(5).IsRunning | Should -BeTrue
        $ring | Wait-DhtRing -Members 2, 4, 5, 8, 9 | Out-Null
        $ring | Should -BeDhtRing 2, 4, 5, 8, 9
        ($ring | Wait-DhtRing -Healthy -Timeout 5).MemberIds | Should -Be 2, 4, 5, 8, 9
        (Get-DhtPeer -Id 5).EndPoint | Should -Be $ring[5].EndPoint
        @(Get-Job -Name DhtPeer5).Count | Should -Be 1
    }

    It 'says why a ring is unhealthy, peer by peer, while a dead member is still listed' {
        # Peer 30 stops answering; 10 missed pings of 3 s each go by before anyone declares it dead, and the walk breaks at it.
        $slow = New-DhtTestRing -Id 20, 30, 40 -PingInterval 3 -MissedPingLimit 10
        try {
            $slow.Kill(30)
            $message = { $slow | Should -BeHealthyDhtRing } | Should -Throw -PassThru | ForEach-Object { $_.Exception.Message }
            $message | Should -BeLike 'Expected a healthy ring, but Test-DhtRing found * problem(s), peer by peer:*'
            $message | Should -BeLike '*- The walk stopped after peer 20, at its first successor, peer 30: Peer at 127.0.0.1:*'
            $slow | Should -Not -BeHealthyDhtRing
        } finally {
            $slow | Remove-DhtTestRing
        }
    }
}

Describe 'New-DhtTestRing parameters' {
    AfterEach {
        Remove-DhtTestRing
    }

    It 'passes -PingInterval and -IdBits through to every Start-DhtPeer' {
        $ring = New-DhtTestRing -Count 2 -IdBits 16 -PingInterval 0.5
        $ring.MemberIds | Should -Be 16384, 49152
        foreach ($id in $ring.MemberIds) {
            $peer = Get-DhtPeer -Id $id
            $peer.IdBits | Should -Be 16
            $peer.PingInterval.TotalSeconds | Should -Be 0.5
        }
        $ring | Should -BeDhtRing 16384, 49152
    }

    It 'passes -PeerParameter to every Start-DhtPeer, and removes what it started when a peer fails to start' {
        # Its own parent for the rings' data roots, so a test run beside this one cannot leave roots in it.
        $parent = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "dhtps-failed-rings-$([guid]::NewGuid().ToString('N'))")
        try {
            $failure = { New-DhtTestRing -Count 3 -DataRoot $parent -PeerParameter @{ NoSuchParameter = 1 } } | Should -Throw -PassThru
            $failure.Exception.Message | Should -BeLike "A peer of the test ring did not start: *'NoSuchParameter'*"
            Get-DhtPeer | Should -BeNullOrEmpty
            Get-Job -Name 'DhtPeer*' -ErrorAction Ignore | Should -BeNullOrEmpty

            $failure = { New-DhtTestRing -Count 2 -Process -DataRoot $parent -PeerParameter @{ NoSuchParameter = 1 } } | Should -Throw -ErrorId 'DhtTestRingPeerFailed,*' -PassThru
            $failure.Exception.Message | Should -BeLike "*exited (code *) before its peer ran*NoSuchParameter*"
            Get-ChildItem -LiteralPath $parent -Force | Should -BeNullOrEmpty -Because 'neither failed ring keeps its data root'
        }
        finally {
            Remove-Item -LiteralPath $parent -Recurse -Force
        }
    }

    It 'refuses -PeerParameter keys the ring sets itself or declares as its own parameters' {
        { New-DhtTestRing -Count 2 -PeerParameter @{ Port = 1 } } | Should -Throw -ErrorId 'InvalidDhtTestRingParameter,*'
        { New-DhtTestRing -Count 2 -PeerParameter @{ pinginterval = 2 } } | Should -Throw '*give New-DhtTestRing -pinginterval instead*'
    }

    It 'refuses ids outside the id space before starting anything' {
        { New-DhtTestRing -Id 2, 300 } | Should -Throw -ErrorId 'InvalidDhtTestRingId,*'
        Get-DhtPeer | Should -BeNullOrEmpty
    }
}

Describe 'New-DhtTestRing -Process' {
    BeforeAll {
        $script:ring = New-DhtTestRing -Id 2, 4, 5, 8, 9 -Process
    }
    AfterAll {
        $ring | Remove-DhtTestRing
    }

    It 'runs each member in a pwsh process of its own' {
        $ring.IsProcess | Should -BeTrue
        $ids = $ring.Members.ProcessId
        $ids.Count | Should -Be 5
        $ids | Should -Not -Contain $PID
        ($ids | Sort-Object -Unique).Count | Should -Be 5
        Get-DhtPeer | Should -BeNullOrEmpty
        $ring | Should -BeHealthyDhtRing
        ($ring[8] | Test-DhtRing).MemberIds | Should -Be 8, 9, 2, 4, 5
    }

    It 'survives a SIGKILL of one member, reports it, and takes it back on restart with its files' {
        $file = Join-Path $TestDrive '0005'   # key 5 -> peer 5
        Set-Content -LiteralPath $file -Value 'five'
        # Stored through a peer of this session that joins the ring and leaves again.
        Start-DhtPeer -Id 100 -Port 0 -KnownPeer $ring[2] -PingInterval 1 | Out-Null
        Save-DhtFile -LiteralPath $file -Via 100 | Select-Object -ExpandProperty StoredAt | Should -Be 5
        Stop-DhtPeer -Id 100 -Confirm:$false
        Get-Job -Name DhtPeer100 | Remove-Job -Force
        $ring | Wait-DhtRing -Members 2, 4, 5, 8, 9 | Out-Null
        $ring | Should -HoldDhtFile '0005'

        $victim = $ring[5].ProcessId
        $ring.Kill(5)
        Get-Process -Id $victim -ErrorAction Ignore | Should -BeNullOrEmpty
        $ring[5].IsRunning | Should -BeFalse
        $ring | Wait-DhtRing -Members 2, 4, 8, 9 -Timeout 60 | Out-Null
        { $ring | Should -BeDhtRing 2, 4, 5, 8, 9 } | Should -Throw '*- Peer 5 is not on the ring.*'

        $ring.Restart(5).ProcessId | Should -Not -Be $victim
        $ring | Wait-DhtRing -Members 2, 4, 5, 8, 9 -Timeout 60 | Out-Null
        $ring | Should -HoldDhtFile '0005'
    }
}

Describe 'Remove-DhtTestRing after a failed test' {
    It 'leaves no job, process, port or data folder, for rings in the session and in processes' {
        $work = Join-Path $TestDrive 'failing'
        New-Item -ItemType Directory $work | Out-Null
        $facts = Join-Path $work 'facts.json'
        # A test file that fails halfway, run by Pester in a pwsh of its own; AfterAll is its only cleanup.
        Set-Content (Join-Path $work 'Failing.Tests.ps1') @"
BeforeAll { Import-Module '$manifest' }
AfterAll {
    `$rings = @(`$local, `$remote) | ForEach-Object { @{ Root = `$_.DataRoot; Ports = `$_.Members.Port; Pids = @(`$_.Members.ProcessId) } }
    Remove-DhtTestRing
    @{ Jobs = @(Get-Job).Count; Rings = `$rings } | ConvertTo-Json -Depth 4 | Set-Content '$facts'
}
Describe 'a failing test' {
    It 'fails with two rings running' {
        `$script:local = New-DhtTestRing -Count 3
        `$script:remote = New-DhtTestRing -Count 2 -Process
        `$local | Should -BeDhtRing 1, 2, 3
    }
}
"@
        $pester = (Get-Module Pester).Path
        $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$pester'; `$r = Invoke-Pester -Path '$work' -PassThru -Output Detailed; `"failed=`$(`$r.FailedCount) passed=`$(`$r.PassedCount)`""
        $output[-1] | Should -Be 'failed=1 passed=0' -Because ($output -join "`n")
        ($output -join "`n") | Should -BeLike '*Expected the ring 1, 2, 3, but the ring differs*'

        $left = Get-Content $facts -Raw | ConvertFrom-Json
        $left.Jobs | Should -Be 0
        $left.Rings.Count | Should -Be 2
        foreach ($ring in $left.Rings) {
            $ring.Root | Should -Not -Exist
            foreach ($port in $ring.Ports) { Test-PortFree $port | Should -BeTrue -Because "port $port was a member's" }
        }
        $processIds = @($left.Rings[1].Pids)
        $processIds.Count | Should -Be 2
        foreach ($id in $processIds) { Get-Process -Id $id -ErrorAction Ignore | Should -BeNullOrEmpty -Because "process $id ran a member" }
    }

    It 'removes a ring in this session after a test threw, and removing again is harmless' {
        try {
            $script:broken = New-DhtTestRing -Id 7, 8 -Process
            $processIds = $broken.Members.ProcessId
            throw 'the test failed'
        } catch {
            $_.Exception.Message | Should -Be 'the test failed'
        } finally {
            Remove-DhtTestRing
        }
        Get-RingLeftover $broken $processIds | Should -BeNullOrEmpty
        $broken.IsRemoved | Should -BeTrue
        { $broken | Remove-DhtTestRing -ErrorAction Stop } | Should -Not -Throw
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
