# The peer console: Enter-DhtPeer in this process with scripted input, and examples/p2p.ps1 (the original
# command line) in child pwsh processes driven through their standard input.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
}

Describe 'Enter-DhtPeer with scripted input' {
    BeforeAll {
        $script:ids = [ulong[]](2, 4, 5, 8)
        New-DhtTestRing -Id $ids -PingInterval 0.5 -Routing Successor | Out-Null
    }
    AfterAll {
        Remove-DhtTestRing
        Stop-TestRing
    }

    It 'runs Ring, Help and -Command lines for a peer from the pipeline, printing its events with "> ", and leaves it running' {
        $lines = @(Get-DhtPeer -Id 2 | Enter-DhtPeer -Backlog 20 -Command Ring, Help)
        $lines | Should -Contain '> Ping requests sent to Peers 4 and 5'
        $ring = @($lines | Where-Object { $_ -notlike '> *' })
        $ring[0] | Should -Be 'Ring walked from Peer 2: 4 peers'
        $ring[1..4] | ForEach-Object { ($_ -split ' ')[3] } | Should -Be '2', '4', '5', '8'
        $ring[1] | Should -Match '^  Peer 2 at 127\.0\.0\.1:\d+: successors 4, 5; predecessors 8, 5$'
        $ring[5] | Should -Be 'Commands (case-insensitive):'
        ($ring[6..10] | ForEach-Object { ($_.Trim() -split '\s+')[0] }) | Should -Be 'Store', 'Request', 'Ring', 'Help', 'Quit'
        (Get-DhtPeer -Id 2).State | Should -Be 'Running'
    }

    It 'answers unknown input with a one-line hint, and Quit departs gracefully and returns' {
        $lines = @('Ring', 'Bogus 12', '', 'QUIT', 'Help' | Enter-DhtPeer 5)
        $replies = @($lines | Where-Object { $_ -notlike '> *' })
        $replies[0] | Should -Be 'Ring walked from Peer 5: 4 peers'
        $replies[5] | Should -Be "Unknown command 'Bogus 12'. Commands: Store <name>, Request <name>, Ring, Help, Quit."
        $replies.Count | Should -Be 6 -Because 'nothing runs after Quit (Help is ignored)'
        $lines[-1] | Should -Be '> Peer 5 has stopped'

        Get-DhtPeer -Id 5 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-RingEvent 4 | Should -Be @(
            'Peer 5 will depart from the network'
            'My new first successor is Peer 8'
            'My new second successor is Peer 2')
        Get-RingEvent 2 | Should -Be @(
            'Peer 5 will depart from the network'
            'My new first successor is Peer 4'
            'My new second successor is Peer 8')
    }

    It 'writes an error record for a peer this session does not run' {
        Enter-DhtPeer 77 -Command Ring -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Be 'DhtPeerNotFound,DhtPs.Commands.EnterDhtPeerCommand'
    }
}

Describe 'examples/p2p.ps1 in processes of their own, typed at through standard input' {
    BeforeAll {
        # One child: its process, the stdout lines read so far, and the pending read (no callbacks on other threads).
        function Start-P2p([string[]] $Arguments) {
            $info = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
            foreach ($argument in @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot '../../examples/p2p.ps1')) + $Arguments) {
                $info.ArgumentList.Add($argument)
            }
            $info.WorkingDirectory = $TestDrive
            # Peers keep their files under local application data: keep that inside the test drive.
            $info.Environment['XDG_DATA_HOME'] = Join-Path $TestDrive 'appdata'
            $info.UseShellExecute = $false
            $info.RedirectStandardInput = $true
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            $process = [System.Diagnostics.Process]::Start($info)
            [pscustomobject]@{
                Process = $process
                Lines   = [System.Collections.Generic.List[string]]::new()
                Pending = $process.StandardOutput.ReadLineAsync()
                Errors  = $process.StandardError.ReadToEndAsync()
            }
        }

        function Update-P2pOutput($Child) {
            while ($Child.Pending -and $Child.Pending.IsCompleted) {
                $line = $Child.Pending.Result
                if ($null -eq $line) { $Child.Pending = $null; return }
                $Child.Lines.Add($line)
                $Child.Pending = $Child.Process.StandardOutput.ReadLineAsync()
            }
        }

        # Waits until the child has printed every one of these lines (after line number $From).
        function Wait-P2pLine($Child, [string[]] $Line, [int] $From = 0, [double] $TimeoutSeconds = 30) {
            $condition = {
                Update-P2pOutput $Child
                $printed = $Child.Lines.GetRange($From, $Child.Lines.Count - $From)
                @($Line | Where-Object { -not $printed.Contains($_) }).Count -eq 0
            }
            try {
                Wait-Condition -TimeoutSeconds $TimeoutSeconds -Condition $condition -Because "peer process printed: $($Line -join ' / ')"
            } catch {
                $exited = $Child.Process.HasExited ? "It exited ($($Child.Process.ExitCode)): $($Child.Errors.Result)" : ''
                throw "$_`n$exited`nIt printed:`n$($Child.Lines -join "`n")"
            }
        }

        function Send-P2pLine($Child, [string] $Text) {
            Update-P2pOutput $Child
            $from = $Child.Lines.Count
            $Child.Process.StandardInput.WriteLine($Text)
            $Child.Process.StandardInput.Flush()
            $from
        }

        # The ring 2, 4, 5, 8, each peer initialised with its next two as in the original (init PEER FIRST SECOND INTERVAL).
        $ids = 2, 4, 5, 8
        $ports = Get-FreePort -Count $ids.Count
        $contact = @{}
        for ($i = 0; $i -lt $ids.Count; $i++) { $contact[$ids[$i]] = "$($ids[$i])@127.0.0.1:$($ports[$i])" }
        $script:children = @{}
        for ($i = 0; $i -lt $ids.Count; $i++) {
            $children[$ids[$i]] = Start-P2p @('init', $ids[$i], $contact[$ids[($i + 1) % 4]], $contact[$ids[($i + 2) % 4]], 2, '-Port', $ports[$i])
        }
    }
    AfterAll {
        foreach ($child in $children.Values) {
            if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
            $child.Process.Dispose()
        }
    }

    It 'prints the original ping messages at every peer' {
        Wait-P2pLine $children[2] '> Ping requests sent to Peers 4 and 5', '> Ping response received from Peer 4',
            '> Ping response received from Peer 5', '> Ping request message received from Peer 8', '> Ping request message received from Peer 5'
        Wait-P2pLine $children[8] '> Ping requests sent to Peers 2 and 4', '> Ping request message received from Peer 4',
            '> Ping request message received from Peer 5'
        $children[2].Lines[0] | Should -Match '^Peer 2 at 127\.0\.0\.1:\d+\. Type Store <name>, Request <name>, Ring, Help or Quit\.$'
    }

    It 'answers Help, Ring and unknown input typed at peer 2' {
        $from = Send-P2pLine $children[2] 'help'
        Wait-P2pLine $children[2] 'Commands (case-insensitive):', '  Quit            leave the ring gracefully and stop this peer' -From $from
        $from = Send-P2pLine $children[2] 'Ring'
        Wait-P2pLine $children[2] 'Ring walked from Peer 2: 4 peers' -From $from
        Wait-Condition -Because 'the four members were listed' -Condition { Update-P2pOutput $children[2]; @($children[2].Lines -like '  Peer * at *').Count -ge 4 }
        @($children[2].Lines -like '  Peer * at *' | ForEach-Object { ($_ -split ' ')[3] }) | Should -Be '2', '4', '5', '8'
        $from = Send-P2pLine $children[2] 'Fetch 2067'
        Wait-P2pLine $children[2] "Unknown command 'Fetch 2067'. Commands: Store <name>, Request <name>, Ring, Help, Quit." -From $from
    }

    It 'stores 4103 typed at peer 2 at its owner 8, and peer 4 requests it into a byte-identical received_4103' {
        $content = [byte[]](0..255) * 8
        [IO.File]::WriteAllBytes((Join-Path $TestDrive '4103'), $content)
        $children.Values | ForEach-Object { Update-P2pOutput $_ }
        $from = @{}
        foreach ($id in 2, 4, 5, 8) { $from[$id] = $children[$id].Lines.Count }

        Send-P2pLine $children[2] 'Store 4103' | Out-Null
        foreach ($id in 2, 4, 5) { Wait-P2pLine $children[$id] '> Store 4103 request forwarded to my successor' -From $from[$id] }
        Wait-P2pLine $children[8] '> Store 4103 request accepted' -From $from[8]

        foreach ($id in 2, 4, 5, 8) { $from[$id] = $children[$id].Lines.Count }
        Send-P2pLine $children[4] 'Request 4103' | Out-Null
        Wait-P2pLine $children[4] '> File request for 4103 has been sent to my successor' -From $from[4]
        Wait-P2pLine $children[5] '> Request for File 4103 has been received, but the file is not stored here' -From $from[5]
        Wait-P2pLine $children[8] '> File 4103 is stored here', '> Sending file 4103 to Peer 4', '> The file has been sent' -From $from[8]
        Wait-P2pLine $children[4] '> Peer 8 had File 4103', '> Receiving File 4103 from Peer 8', '> File 4103 received' -From $from[4]
        [IO.File]::ReadAllBytes((Join-Path $TestDrive 'received_4103')) | Should -Be $content
    }

    It 'answers a Store of a file that does not exist with "File does not exist" and sends nothing' {
        $from = Send-P2pLine $children[2] 'Store 9999'
        Wait-P2pLine $children[2] 'File does not exist' -From $from
        Update-P2pOutput $children[2]
        $children[2].Lines.GetRange($from, $children[2].Lines.Count - $from) | Should -Not -Contain '> Store 9999 request forwarded to my successor'
    }

    It 'departs gracefully on Quit at peer 5: both predecessors take its successors, and its process ends' {
        $children.Values | ForEach-Object { Update-P2pOutput $_ }
        $from4 = $children[4].Lines.Count
        $from2 = $children[2].Lines.Count
        Send-P2pLine $children[5] 'Quit' | Out-Null
        $children[5].Process.WaitForExit(30000) | Should -BeTrue
        $children[5].Process.ExitCode | Should -Be 0 -Because "stderr: $($children[5].Errors.Result) stdout: $($children[5].Lines -join "/")"
        Wait-P2pLine $children[5] '> Peer 5 has stopped'

        Wait-P2pLine $children[4] '> Peer 5 will depart from the network', '> My new first successor is Peer 8', '> My new second successor is Peer 2' -From $from4
        Wait-P2pLine $children[2] '> Peer 5 will depart from the network', '> My new first successor is Peer 4', '> My new second successor is Peer 8' -From $from2
        $ringLines = { param($Child, $From) @($Child.Lines.GetRange($From, $Child.Lines.Count - $From) | Where-Object { $_ -like '> *' -and $_ -notlike '> Ping*' }) }
        (& $ringLines $children[4] $from4)[0..2] | Should -Be '> Peer 5 will depart from the network', '> My new first successor is Peer 8', '> My new second successor is Peer 2'
        (& $ringLines $children[2] $from2)[0..2] | Should -Be '> Peer 5 will depart from the network', '> My new first successor is Peer 4', '> My new second successor is Peer 8'
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
