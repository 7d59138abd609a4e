# Peer jobs as PowerShell users expect them (states, streams, no leftovers), and the pipeline's rough edges:
# folders piped to the file cmdlets, overwrites, -PassThru.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
    $script:root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-jobs-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory $root | Out-Null
    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:manifest = (Resolve-Path (Join-Path $PSScriptRoot '../../DhtPs.psd1')).Path

    # The states a job goes through from now on, as the session's event queue records them (no script runs on the peer's thread).
    function Watch-JobState($Job) {
        $id = "dhtps-state-$([guid]::NewGuid().ToString('N'))"
        Register-ObjectEvent -InputObject $Job -EventName StateChanged -SourceIdentifier $id | Out-Null
        $id
    }
    function Get-WatchedState([string] $Id) {
        # In the order the engine generated them: the queue may take two threads' events in the other order.
        @(Get-Event -SourceIdentifier $Id -ErrorAction Ignore | Sort-Object EventIdentifier | ForEach-Object { "$($_.SourceEventArgs.JobStateInfo.State)" })
    }
    function Send-Garbage([int] $Port) {
        $udp = [System.Net.Sockets.UdpClient]::new()
        try { $null = $udp.Send([byte[]](1, 2, 3), 3, '127.0.0.1', $Port) } finally { $udp.Dispose() }
    }
}
AfterAll {
    Get-EventSubscriber | Where-Object SourceIdentifier -like 'dhtps-state-*' | Unregister-Event
    Stop-TestRing
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}

Describe 'Job states' {
    AfterEach { Stop-TestRing }

    It 'goes Running, Stopping, Stopped on Stop-Job' {
        $peer = Start-DhtPeer -Id 60 -Port 0 -PingInterval 0.2
        $job = Get-Job -Name DhtPeer60
        $job.State | Should -Be 'Running'
        $watch = Watch-JobState $job
        Stop-Job -Job $job
        $job.State | Should -Be 'Stopped'
        Wait-Condition -Because 'both state changes were queued' -TimeoutSeconds 5 -Condition { (Get-WatchedState $watch).Count -ge 2 }
        Get-WatchedState $watch | Should -Be 'Stopping', 'Stopped'
        Get-DhtPeer -Id 60 -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'ends Failed, with the reason, when the peer stops without being asked' {
        $null = Start-DhtPeer -Id 61 -Port 0
        $job = Get-Job -Name DhtPeer61
        $job.Peer.StopAsync().Wait()
        Wait-Condition -Because 'the job saw its peer stop' -TimeoutSeconds 5 -Condition { $job.State -eq 'Failed' }
        $job.JobStateInfo.Reason.Message | Should -Be 'Peer 61 stopped on its own.'
    }

    It 'Stop-DhtPeer -PassThru writes the stopped peer' {
        $null = Start-DhtPeer -Id 62 -Port 0
        $stopped = Stop-DhtPeer -Id 62 -PassThru -Confirm:$false
        $stopped.Id | Should -Be 62
        $stopped.State | Should -Be 'Stopped'
        Stop-DhtPeer -Id 63 -PassThru -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Job streams' {
    BeforeAll {
        $null = New-DhtTestRing -Id 64, 68 -PingInterval 0.1 -Routing Successor
        $script:lone = Get-DhtPeer -Id 64
        $script:job = Get-Job -Name DhtPeer64
        Wait-Condition -Because 'the peers pinged each other a few times' -TimeoutSeconds 10 -Condition { $job.PingCount -ge 6 }
    }
    AfterAll { Remove-DhtTestRing; Stop-TestRing }

    It 'keeps pings out of Output, in a bounded buffer of their own' {
        $story = @(Receive-Job -Job $job -Keep)
        $story.Kind | Should -Not -Contain 'PingRequestsSent'
        $story[0].Kind | Should -Be 'Started'
        $job.Pings.Count | Should -BeGreaterOrEqual 6
        $job.Pings.Count | Should -BeLessOrEqual ([DhtPs.Hosting.DhtPeerJob]::PingBufferLimit)
        @($job.Pings | ForEach-Object { "$($_.Kind)" } | Sort-Object -Unique) | Should -Be 'PingRequestReceived', 'PingRequestsSent', 'PingResponseReceived'
    }

    It 'writes warnings to Warning, and HasMoreData sees them though Output is empty' {
        Receive-Job -Job $job *> $null
        $job.HasMoreData | Should -BeFalse
        Send-Garbage $lone.EndPoint.Port
        Wait-Condition -Because 'the malformed datagram was reported' -TimeoutSeconds 5 -Condition { $job.HasMoreData }
        $job.Output.Count | Should -Be 0
        $warnings = @(Receive-Job -Job $job 3>&1)
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -BeOfType System.Management.Automation.WarningRecord
        $warnings[0].Message | Should -BeLike 'Peer 64: Dropped malformed input from 127.0.0.1:*'
        $job.HasMoreData | Should -BeFalse
    }

    It 'Enter-DhtPeer prints only new events by default, and the older ones with -Backlog' {
        $fresh = @(Enter-DhtPeer 64 -Command Help)
        $fresh | Where-Object { $_ -like '> *is listening on*' } | Should -BeNullOrEmpty
        $older = @(Enter-DhtPeer 64 -Backlog 1000 -Command Help)
        $older[0] | Should -BeLike '> Peer 64 is listening on *'
        @($older | Where-Object { $_ -like '> Ping*' }).Count | Should -BeGreaterOrEqual 6
    }
}

Describe 'No jobs left behind' {
    It 'by a start whose join fails' {
        $silentPort = Get-FreePort
        Start-DhtPeer -Id 65 -Port 0 -KnownPeer "127.0.0.1:$silentPort" -JoinTimeout 2 -ErrorAction SilentlyContinue -ErrorVariable failed |
            Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtKnownPeerUnreachable,*'
        Get-Job -Name DhtPeer65 -ErrorAction Ignore | Should -BeNullOrEmpty
        Get-DhtPeer -Id 65 -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'by Remove-Module, for running and stopped peers alike (in a fresh pwsh)' {
        $script = "Import-Module '$manifest'; " +
            '$null = Start-DhtPeer -Id 3 -Port 0; $null = Start-DhtPeer -Id 4 -Port 0; Stop-DhtPeer -Id 4 -Confirm:$false; ' +
            '"before: " + @(Get-Job).Count; Remove-Module DhtPs; "after: " + @(Get-Job).Count'
        $output = & $pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be 'before: 2', 'after: 0'
    }
}

Describe 'Folders and overwrites in the pipeline' {
    BeforeAll {
        $script:ring = New-DhtTestRing -Id 66, 67 -DataRoot $root -Routing Successor
        $script:inbox = New-Item -ItemType Directory (Join-Path $root 'inbox')
        New-Item -ItemType Directory (Join-Path $inbox 'sub') | Out-Null
        Set-Content -LiteralPath (Join-Path $inbox '1001') -Value 'one'
        Set-Content -LiteralPath (Join-Path $inbox '1002') -Value 'two'
        $script:folder = (Join-Path $inbox 'sub')
    }
    AfterAll { Remove-DhtTestRing; Stop-TestRing }

    It 'Get-ChildItem | Save-DhtFile stores the files and skips the folder with one error naming its plain path' {
        $stored = @(Get-ChildItem $inbox | Save-DhtFile -Via 66 -ErrorAction SilentlyContinue -ErrorVariable failed)
        $stored.Name | Sort-Object | Should -Be '1001', '1002'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'DhtPathIsFolder,DhtPs.Commands.SaveDhtFileCommand'
        $failed[0].TargetObject | Should -Be $folder
        $failed[0].Exception.Message | Should -BeLike "$folder is a folder*"
        $failed[0].Exception.Message | Should -Not -Match 'FileSystem::'
    }

    It 'Get-ChildItem | Resolve-DhtKey resolves the files and skips the folder with one error' {
        $owners = @(Get-ChildItem $inbox | Resolve-DhtKey -Via 66 -ErrorAction SilentlyContinue -ErrorVariable failed)
        $owners.Name | Sort-Object | Should -Be '1001', '1002'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'DhtPathIsFolder,DhtPs.Commands.ResolveDhtKeyCommand'
        $failed[0].TargetObject | Should -Be $folder
    }

    It 'Get-DhtFile asks before overwriting (-WhatIf writes nothing) and -NoClobber keeps the local file' {
        $destination = Join-Path $root 'copy-1001'
        Set-Content -LiteralPath $destination -Value 'mine'
        Get-DhtFile 1001 -Via 66 -Destination $destination -WhatIf | Should -BeNullOrEmpty
        Get-Content -LiteralPath $destination | Should -Be 'mine'
        Get-DhtFile 1001 -Via 66 -Destination $destination -NoClobber -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Be 'DhtDestinationExists,DhtPs.Commands.GetDhtFileCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content -LiteralPath $destination | Should -Be 'mine'
        (Get-DhtFile 1001 -Via 66 -Destination $destination).Path | Should -Be $destination
        Get-Content -LiteralPath $destination | Should -Be 'one'
    }
}

Describe 'A bounded graceful stop' {
    It 'stops abruptly once -Timeout passes, when the successor takes the hand-off and never answers' {
        # The successor is a listener that accepts connections and never reads: the hand-off of the peer's file hangs.
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            $data = New-Item -ItemType Directory (Join-Path $root 'stuck')
            [System.IO.File]::WriteAllBytes((Join-Path $data '0080'), [byte[]]::new(4MB))
            $null = Start-DhtPeer -Id 73 -Port 0 -FirstSuccessor "80@127.0.0.1:$($silent.LocalEndpoint.Port)" -DataPath $data
            $elapsed = Measure-Command { $stopped = Stop-DhtPeer -Id 73 -Timeout 1 -PassThru -Confirm:$false }
            $stopped.State | Should -Be 'Stopped'
            $elapsed.TotalSeconds | Should -BeLessThan 15 -Because 'the hand-off alone would wait out a 30 s idle limit'
            (Get-Job -Name DhtPeer73).State | Should -Be 'Stopped'
        } finally {
            $silent.Stop()
            Stop-TestRing
        }
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
