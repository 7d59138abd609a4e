# A ring of five hosts this test builds itself: one network namespace per host, each with one pwsh peer on its own
# address, wired by veth pairs to a bridge that lives in a switch namespace of its own. The root namespace gets one
# address on that bridge and acts as a client with no peer. All traffic stays on the test's private subnet
# (10.231.X.0/24 and fd00:231:X::/64, X chosen per run) inside namespaces this test creates and always deletes.
# Needs Linux, root and iproute2; elsewhere it is skipped with the reason printed.
BeforeDiscovery {
    $script:skipReason = & {
        if (-not $IsLinux) { return 'network namespaces are a Linux feature' }
        if ((& id -u) -ne '0') { return 'creating network namespaces needs root' }
        if (-not (Get-Command ip -CommandType Application -ErrorAction Ignore)) { return 'iproute2 (the ip command) is not installed' }
        $probe = "dhtps-probe-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $out = & ip netns add $probe 2>&1
        if ($LASTEXITCODE -ne 0) { return "this machine does not allow network namespaces: $out" }
        & ip netns del $probe
    }
    if ($skipReason) { Write-Host "Multi-host test skipped: $skipReason" }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot '../pester/DhtTestRing.psm1') -Force

    function Invoke-Ip {
        # Every ip command the test runs, echoed so its output reads as a recipe (the README's section quotes it).
        param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
        Write-Host "  # ip $Arguments"
        $out = & ip @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ip $Arguments failed: $out" }
    }

    function Remove-TestHosts {
        # Idempotent, and each step on its own: a failure half-way through set-up still leaves nothing behind.
        foreach ($process in $script:peers.Values) {
            if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force -ErrorAction Ignore; $process.WaitForExit(5000) | Out-Null }
        }
        foreach ($ns in $script:namespaces) {
            & ip netns del $ns 2>$null
            Remove-Item "/etc/netns/$ns" -Recurse -Force -ErrorAction Ignore
        }
        & ip link del $script:rootLink 2>$null  # Gone with the switch namespace already, unless set-up stopped before.
    }

    function Get-Walk([string] $Via) {
        (Get-DhtRing -Via $Via -ErrorAction SilentlyContinue).ForEach({ "$($_.Id):$($_.Successors -join ',')" }) -join ' '
    }

    $tag = [guid]::NewGuid().ToString('N').Substring(0, 6)   # names per run, so parallel runs never collide
    $used = (& ip -4 addr) -join "`n"
    $x = 1..254 | Get-Random -Count 254 | Where-Object { $used -notmatch "10\.231\.$_\." } | Select-Object -First 1
    $script:subnet = "10.231.$x"
    $script:subnet6 = "fd00:231:$('{0:x}' -f $x)"
    $script:switch = "dhtps-$tag-sw"
    $script:rootLink = "dh$($tag)r"
    $script:hosts = 1..5 | ForEach-Object { [pscustomobject]@{ Index = $_; Namespace = "dhtps-$tag-h$_"; Name = "host$_"; Address = "$subnet.$_"; Id = [ulong](10 + 50 * ($_ - 1)) } }
    $script:namespaces = @($switch) + $hosts.Namespace
    $script:peers = [ordered]@{}
    $script:port = 4000
    $script:logs = Join-Path $TestDrive 'logs'
    New-Item $logs -ItemType Directory | Out-Null
    if ($skipReason) { return }

    Write-Host "Building 5 hosts on $subnet.0/24 (run $tag):"
    try {
        Invoke-Ip netns add $switch
        Invoke-Ip -n $switch link add br0 type bridge
        Invoke-Ip -n $switch link set br0 up
        # The root namespace: one leg on the bridge, the test's only address outside the host namespaces.
        Invoke-Ip link add $rootLink type veth peer name root netns $switch
        Invoke-Ip -n $switch link set root master br0 up
        Invoke-Ip addr add "$subnet.254/24" dev $rootLink
        Invoke-Ip addr add "$subnet6::254/64" dev $rootLink nodad
        Invoke-Ip link set $rootLink up
        foreach ($h in $hosts) {
            Invoke-Ip netns add $h.Namespace
            Invoke-Ip -n $switch link add "h$($h.Index)" type veth peer name eth0 netns $h.Namespace
            Invoke-Ip -n $switch link set "h$($h.Index)" master br0 up
            Invoke-Ip -n $h.Namespace addr add "$($h.Address)/24" dev eth0
            Invoke-Ip -n $h.Namespace addr add "$subnet6::$($h.Index)/64" dev eth0 nodad
            Invoke-Ip -n $h.Namespace link set eth0 up
            Invoke-Ip -n $h.Namespace link set lo up
            # Host names inside the hosts (ip netns exec mounts /etc/netns/<ns>/hosts over /etc/hosts).
            New-Item "/etc/netns/$($h.Namespace)" -ItemType Directory -Force | Out-Null
            (@('127.0.0.1 localhost') + ($hosts | ForEach-Object { "$($_.Address) $($_.Name)" })) | Set-Content "/etc/netns/$($h.Namespace)/hosts"
        }
    } catch {
        Remove-TestHosts
        throw
    }

    function Start-HostPeer($h, [string[]] $Extra) {
        $manifest = Join-Path $PSScriptRoot '../../DhtPs.psd1'
        $data = Join-Path $TestDrive "data-$($h.Name)"
        $command = "Import-Module '$manifest'; Start-DhtPeer -Id $($h.Id) $($Extra -join ' ') -Port $port -PingInterval 1 -ReplicationFactor 1 -DataPath '$data' -Wait"
        Write-Host "  # ip netns exec $($h.Namespace) pwsh -NoProfile -NonInteractive -Command `"$($command -replace [regex]::Escape("'$manifest'"), './DhtPs.psd1' -replace [regex]::Escape("'$data'"), "./data")`""
        $log = Join-Path $logs "$($h.Name).txt"
        $script:peers[$h.Name] = Start-Process -FilePath ip -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err" -ArgumentList @(
            'netns', 'exec', $h.Namespace, 'env', '--default-signal=INT', (Join-Path $PSHOME 'pwsh'), '-NoProfile', '-NonInteractive', '-Command', $command)
    }
    function Get-HostLog($h) { @(Get-Content (Join-Path $logs "$($h.Name).txt") -ErrorAction Ignore) }
}

AfterAll {
    if ($skipReason) { return }
    Remove-TestHosts
    $left = (& ip netns list) -match "dhtps-$tag-"
    if ($left) { throw "Namespaces left behind: $left" }
    Write-Host "Removed the namespaces of run $tag."
}

Describe 'A ring of five hosts in network namespaces' -Skip:([bool]$skipReason) {
    It 'forms a ring of 5, each host on its own address, joining through host1 by name' {
        $first, $rest = $hosts
        # host1 listens on every address (IPv4 and IPv6) and tells the others its IPv4 one.
        Start-HostPeer $first '-Address', '::', '-AdvertiseAddress', $first.Address
        Wait-Condition -Because 'host1 listens' -TimeoutSeconds 60 -Condition { (Get-HostLog $first) -match 'Started: Peer 10 is listening' }
        foreach ($h in $rest) { Start-HostPeer $h '-Address', $h.Address, '-KnownPeer', "$($first.Name):$port" }

        $expected = '10:60,110 60:110,160 110:160,210 160:210,10 210:10,60'
        Wait-Condition -Because 'the five hosts formed one ring' -TimeoutSeconds 120 -Condition { (Get-Walk "$subnet.1:$port") -eq $expected }
        Write-Host "  PS> Get-DhtRing -Via $subnet.3:$port"
        $ring = Get-DhtRing -Via "$subnet.3:$port"     # client mode: this process runs no peer
        Get-DhtPeer | Should -BeNullOrEmpty
        $ring.Id | Should -Be 110, 160, 210, 10, 60
        $ring.EndPoint | Should -Be ($hosts[2, 3, 4, 0, 1] | ForEach-Object { "$($_.Address):$port" })
        $ring | Format-Table | Out-String | Write-Host
        foreach ($h in $rest) { (Get-HostLog $h) -match "JoinAccepted: Join request has been accepted" | Should -Not -BeNullOrEmpty }
    }

    It 'stores and fetches files across the hosts from the root namespace, with no local peer' {
        $script:files = @{}
        $folder = New-Item (Join-Path $TestDrive 'files') -ItemType Directory
        foreach ($name in '2067', '4103', '2012.pdf', 'summary.txt', '1111') {
            $path = Join-Path $folder $name
            [IO.File]::WriteAllBytes($path, [byte[]](1..(1000 + $name.Length * 300) | ForEach-Object { $_ % 251 }))
            $files[$name] = $path
        }
        Push-Location $TestDrive
        try {
            Write-Host "  PS> Get-ChildItem ./files | Save-DhtFile -Via $subnet.2:$port"
            $stored = Get-ChildItem ./files | Save-DhtFile -Via "$subnet.2:$port"
        } finally { Pop-Location }
        $stored | Format-Table Name, Key, StoredAt, Length, Hops | Out-String | Write-Host
        $stored.Count | Should -Be 5
        ($stored.StoredAt | Sort-Object -Unique).Count | Should -BeGreaterThan 1 -Because 'the files spread over several hosts'
        Write-Host "  PS> Resolve-DhtKey $($stored.Name -join ', ') -Via '[$subnet6::1]:$port'"
        $owners = Resolve-DhtKey $stored.Name -Via "[$subnet6::1]:$port"    # in through IPv6, on host1's dual-stack socket
        $owners | Format-Table | Out-String | Write-Host
        $owners.Owner | Should -Be $stored.StoredAt

        $back = New-Item (Join-Path $TestDrive 'back') -ItemType Directory
        Push-Location $TestDrive
        try {
            Write-Host "  PS> Get-DhtFile $($stored.Name -join ', ') -Via 160@$subnet.4:$port -Destination ./back"
            $fetched = Get-DhtFile $stored.Name -Via "160@$subnet.4:$port" -Destination ./back
        } finally { Pop-Location }
        $fetched | Format-Table Name, StoredAt, Length, Hops | Out-String | Write-Host
        $fetched.Name | Should -Be $stored.Name
        $fetched.StoredAt | Should -Be $stored.StoredAt
        foreach ($file in $fetched) {
            $file.Path | Should -Be (Join-Path $back "received_$($file.Name)")
            (Get-FileHash $file.Path).Hash | Should -Be (Get-FileHash $files[$file.Name]).Hash
        }
        $script:stored = $stored
    }

    It 'repairs the ring when host3 is cut off (link down), and host3 rejoins when its link is back' {
        $cut = $hosts[2]
        $cutAt = [DateTime]::UtcNow
        Invoke-Ip -n $switch link set "h$($cut.Index)" down
        Wait-Condition -Because 'the ring closed around the cut-off host3' -TimeoutSeconds 60 -Condition {
            (Get-Walk "$subnet.1:$port") -eq '10:60,160 60:160,210 160:210,10 210:10,60'
        }
        Write-Host "  ring repaired without host3 after $([int]([DateTime]::UtcNow - $cutAt).TotalSeconds) s"
        (Get-HostLog $hosts[1]) -match 'peer 60 SuccessorDead: Peer 110 is no longer alive' | Should -Not -BeNullOrEmpty
        # Files at the other hosts are still served. (That host3's own files survive too needs replication, not built yet.)
        foreach ($file in $stored | Where-Object StoredAt -NE $cut.Id) {
            (Get-DhtFile $file.Name -Via "$subnet.5:$port" -Destination (Join-Path $TestDrive "during-$($file.Name)")).StoredAt | Should -Be $file.StoredAt
        }

        $restoredAt = [DateTime]::UtcNow
        Invoke-Ip -n $switch link set "h$($cut.Index)" up
        Wait-Condition -Because 'host3 rejoined the ring' -TimeoutSeconds 90 -Condition {
            (Get-Walk "$subnet.1:$port") -eq '10:60,110 60:110,160 110:160,210 160:210,10 210:10,60'
        }
        Write-Host "  host3 back in the ring $([int]([DateTime]::UtcNow - $restoredAt).TotalSeconds) s after its link came up"
        foreach ($file in $stored) {
            (Get-DhtFile $file.Name -Via "$subnet.2:$port" -Destination (Join-Path $TestDrive "after-$($file.Name)")).StoredAt | Should -Be $file.StoredAt
        }
    }

    It 'stops every host with SIGTERM: graceful departures, exit code 0' {
        foreach ($h in $hosts[4, 3, 2, 1]) {
            & kill -TERM $peers[$h.Name].Id
            $peers[$h.Name].WaitForExit(30000) | Should -BeTrue
            $peers[$h.Name].ExitCode | Should -Be 0
            (Get-HostLog $h)[-1] | Should -Match "Stopped: Peer $($h.Id) has stopped$"
        }
        (Get-HostLog $hosts[0]) -match 'DepartureNoticeReceived: Peer 60 will depart from the network' | Should -Not -BeNullOrEmpty
        & kill -TERM $peers['host1'].Id
        $peers['host1'].WaitForExit(30000) | Should -BeTrue
        $peers['host1'].ExitCode | Should -Be 0
        Write-Host "host1's log:"
        Get-HostLog $hosts[0] | ForEach-Object { Write-Host "  $_" }
    }
}
