# Issue 11 on real sockets and real processes: three copies of every file, and a ring that loses two adjacent peers,
# each in a pwsh process of its own, to SIGKILL still gives back every file byte for byte, then restores three copies.
# Ten members run in this session (a 12-process ring does not start within its join timeouts on a loaded 2-core
# machine); the two that are killed are the processes.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force

    function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant() }

    # The members that should hold a key: its owner (the first member at or after it) and the next two, in id order.
    function Get-Holder([ulong] $Key, [ulong[]] $Members) {
        $sorted = [ulong[]]@($Members | Sort-Object)
        $owner = [Array]::FindIndex($sorted, [Predicate[ulong]] { param($id) $id -ge $Key })
        if ($owner -lt 0) { $owner = 0 }
        0..([Math]::Min(3, $sorted.Count) - 1) | ForEach-Object { $sorted[($owner + $_) % $sorted.Count] }
    }

    # True when each file is in the data folders of exactly its holders among the running peers.
    function Test-ExactCopy([object[]] $Peers, [string[]] $Names, [hashtable] $Key) {
        $running = @($Peers | Where-Object { & $_.Running })
        $live = [ulong[]]@($running | ForEach-Object Id)
        foreach ($name in $Names) {
            $held = @($running | Where-Object { Test-Path -LiteralPath (Join-Path $_.DataPath $name) } | ForEach-Object Id | Sort-Object)
            if (($held -join ',') -ne (@(Get-Holder $Key[$name] $live | Sort-Object) -join ',')) { return $false }
        }
        $true
    }
}

Describe 'Three copies of every file on a ring of 12 peers, two of them processes (issue 11)' {
    BeforeAll {
        $fileCount = 200
        $ring = New-DhtTestRing -Count 10 -PeerParameter @{ ReplicationFactor = 3 }
        $members = @($ring.MemberIds | Sort-Object)
        # Two adjacent newcomers between the fifth and sixth members, each in its own process.
        $gap = $members[5] - $members[4]
        $processIds = [ulong[]]@(($members[4] + [ulong][Math]::Floor($gap / 3)), ($members[4] + [ulong][Math]::Floor(2 * $gap / 3)))
        $children = @{}
        foreach ($id in $processIds) {
            $data = Join-Path $TestDrive "peer$id"
            $children[$id] = @{ Data = $data; Process = Start-PeerProcess -Id $id -Port (Get-FreePort) -KnownPeer $ring.Via -ReplicationFactor 3 -DataPath $data -LogFolder $TestDrive }
        }
        $all = [ulong[]]@($members + $processIds | Sort-Object)
        Wait-DhtRing -Members $all -Via $ring.Via -Timeout 60 | Out-Null
        $peers = @(
            foreach ($member in $ring.Members) { $m = $member; [pscustomobject]@{ Id = $m.Id; DataPath = $m.DataPath; Running = { $true }.GetNewClosure() } }
            foreach ($id in $processIds) { $p = $children[$id].Process; [pscustomobject]@{ Id = $id; DataPath = $children[$id].Data; Running = { -not $p.HasExited }.GetNewClosure() } }
        )

        $source = New-Item -ItemType Directory (Join-Path $TestDrive 'source')
        $random = [Random]::new(1111)
        $names = 1..$fileCount | ForEach-Object { 'replica-{0:D3}.bin' -f $_ }
        $sha = @{}
        foreach ($name in $names) {
            # Random sizes from empty to 256 KiB: most span several 60 KiB chunks.
            $bytes = [byte[]]::new($random.Next(0, 256 * 1024))
            $random.NextBytes($bytes)
            $path = Join-Path $source $name
            [IO.File]::WriteAllBytes($path, $bytes)
            $sha[$name] = Get-Sha256 $path
        }
        $stored = foreach ($name in $names) { Save-DhtFile -LiteralPath (Join-Path $source $name) -Via $ring.Via }
        $key = @{}
        foreach ($file in $stored) { $key[$file.Name] = $file.Key }
    }
    AfterAll {
        foreach ($child in $children.Values) { if (-not $child.Process.HasExited) { $child.Process.Kill() } }
        Remove-DhtTestRing
    }

    It 'acknowledges each of the 200 stores once three peers hold the file, at the owner of its key' {
        @($stored).Count | Should -Be $fileCount
        @($stored | Where-Object Replicas -ne 3).Count | Should -Be 0
        foreach ($file in $stored) {
            $file.Sha256 | Should -Be $sha[$file.Name]
            $file.StoredAt | Should -Be (Get-Holder $file.Key $all)[0]
        }
        Wait-Condition -Because 'every file is on exactly its owner and the next two peers' -TimeoutSeconds 30 -Condition { Test-ExactCopy $peers $names $key }
    }

    It 'lists the copies with Get-DhtStoredFile: Owner at the owner of the key, Replica at the next two' {
        $name = $names | Where-Object { @(Get-Holder $key[$_] $all | Where-Object { $_ -in $processIds }).Count -eq 0 } | Select-Object -First 1
        $holders = [ulong[]]@(Get-Holder $key[$name] $all)
        $listed = @(Get-DhtStoredFile -Name $name | Sort-Object { [Array]::IndexOf($holders, [ulong]$_.PeerId) })
        $listed.PeerId | Should -Be $holders
        $listed.Role | Should -Be 'Owner', 'Replica', 'Replica'
        $listed.Sha256 | Sort-Object -Unique | Should -Be $sha[$name]
    }

    It 'gives back every file byte-identical after the two adjacent peer processes are killed with SIGKILL, and restores three copies' {
        $onVictims = @($names | Where-Object { @(Get-Holder $key[$_] $all | Where-Object { $_ -in $processIds }).Count -gt 0 }).Count
        $onBoth = @($names | Where-Object { @(Get-Holder $key[$_] $all | Where-Object { $_ -in $processIds }).Count -eq 2 }).Count
        $onVictims | Should -BeGreaterThan 10
        $killed = [DateTime]::UtcNow
        foreach ($id in $processIds) { $children[$id].Process.Kill() }   # SIGKILL: no departure, no hand-off
        foreach ($id in $processIds) { $children[$id].Process.WaitForExit(10000) | Should -BeTrue }

        # Bounded: detection (three missed 1 s pings and a TCP confirmation), repair, then each owner's pass.
        $destination = New-Item -ItemType Directory (Join-Path $TestDrive 'fetched')
        $missing = [Collections.Generic.List[string]]$names
        Wait-Condition -Because 'every file can be fetched again' -TimeoutSeconds 90 -Condition {
            foreach ($name in @($missing)) {
                $target = Join-Path $destination $name
                $got = Get-DhtFile -Name $name -Via $ring.Via -Destination $target -Timeout 5 -ErrorAction SilentlyContinue
                if ($got -and (Get-Sha256 $target) -eq $sha[$name]) { [void]$missing.Remove($name) }
            }
            $missing.Count -eq 0
        }
        $fetchedAfter = [DateTime]::UtcNow - $killed
        Wait-Condition -Because 'every file is back on exactly three of the ten peers left, its holders' -TimeoutSeconds 60 -Condition { Test-ExactCopy $peers $names $key }
        $restoredAfter = [DateTime]::UtcNow - $killed
        Write-Host ("    {0} of {1} files had a copy on the killed processes ({2} two copies); all fetched byte-identical {3:0.0} s after the kill, three copies each again after {4:0.0} s" -f
            $onVictims, $fileCount, $onBoth, $fetchedAfter.TotalSeconds, $restoredAfter.TotalSeconds)
        Wait-Condition -Because 'Test-DhtRing finds the ten peers and every file healthy' -TimeoutSeconds 30 -Condition {
            $report = Test-DhtRing -Via $ring.Via
            $report.IsHealthy -and $report.Members.Count -eq 10 -and $report.Files.Count -eq $fileCount
        }
    }

    It 'loses, beyond the bound, exactly the files Test-DhtRing said three adjacent peers alone held' {
        $report = Test-DhtRing -Via $ring.Via
        $report.IsHealthy | Should -BeTrue
        $alive = [ulong[]]@($report.MemberIds | Sort-Object)
        $victims = [ulong[]]$alive[3..5]
        $predicted = @($report.Files | Where-Object { -not $_.Removed -and @($_.Holders | Where-Object { $_ -notin $victims }).Count -eq 0 } | ForEach-Object Name | Sort-Object)
        $predicted.Count | Should -BeGreaterThan 0
        $via = $ring[$alive[0]]

        Stop-DhtPeer -Id $victims -Abrupt -Confirm:$false
        Wait-Condition -Because 'the seven peers left close the ring' -TimeoutSeconds 60 -Condition {
            $walk = Test-DhtRing -Via $via -SkipFiles
            $walk.IsHealthy -and $walk.Members.Count -eq 7
        }
        $destination = New-Item -ItemType Directory (Join-Path $TestDrive 'beyond')
        $kept = [Collections.Generic.List[string]]@($names | Where-Object { $_ -notin $predicted })
        Wait-Condition -Because 'every file with a copy left is fetched byte-identical' -TimeoutSeconds 90 -Condition {
            foreach ($name in @($kept)) {
                $target = Join-Path $destination $name
                $got = Get-DhtFile -Name $name -Via $via -Destination $target -Timeout 5 -ErrorAction SilentlyContinue
                if ($got -and (Get-Sha256 $target) -eq $sha[$name]) { [void]$kept.Remove($name) }
            }
            $kept.Count -eq 0
        }
        $lost = @(foreach ($name in $names) {
            Get-DhtFile -Name $name -Via $via -Destination (Join-Path $destination "lost-$name") -Timeout 5 -ErrorVariable failed -ErrorAction SilentlyContinue | Out-Null
            if ($failed.Count -gt 0 -and $failed[0].FullyQualifiedErrorId -like 'DhtFileNotFound,*') { $name }
        }) | Sort-Object
        $lost | Should -Be $predicted
        Write-Host ("    Test-DhtRing predicted {0} files lost with peers {1}; exactly those were lost" -f $predicted.Count, ($victims -join ', '))
    }
}
