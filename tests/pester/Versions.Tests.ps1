# Issue 11 on real sockets: versions, Remove-DhtFile's tombstones, a holder restarted with its data path, and a corrupt
# copy that a reader detects against the digest recorded at store time. Three copies (the default); the name 4103 has
# key 7, owned by peer 8 and copied to 9 and 14.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    Stop-TestRing
    $script:ids = [ulong[]](2, 4, 5, 8, 9, 14, 19)

    function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant() }

    function Write-Content([string] $Text) {
        $path = Join-Path $local '4103'
        [IO.File]::WriteAllText($path, $Text)
        Get-Item -LiteralPath $path
    }

    # What each of the given peers holds of 4103, from their own indexes: "id=version/sha" in id order.
    function Get-Copies([ulong[]] $Holders) {
        @(Get-DhtStoredFile -Id $Holders -Name 4103 | Sort-Object PeerId | ForEach-Object { "$($_.PeerId)=$($_.Version)/$($_.Sha256)" })
    }
}

Describe 'Versions, tombstones, restarts and corrupt copies (issue 11)' {
    BeforeEach {
        $script:root = Join-Path ([IO.Path]::GetTempPath()) "dhtps-versions-$([guid]::NewGuid().ToString('N'))"
        $script:local = New-Item -ItemType Directory (Join-Path $root 'local')
        $script:ring = New-DhtTestRing -Id $ids -DataRoot $root
        $script:data = $ring.DataRoot
    }
    AfterEach {
        Stop-TestRing
        Remove-DhtTestRing
        Remove-Item -Recurse -Force $root
    }

    It 'makes a newer version of a name stored again, and every holder converges to it' {
        $first = Write-Content 'first' | Save-DhtFile -Via 2
        $second = Write-Content 'second, longer' | Save-DhtFile -Via 2
        $first.StoredAt | Should -Be 8
        $second.Version.CompareTo($first.Version) | Should -BeGreaterThan 0
        $second.Replicas | Should -Be 3

        $expected = @(8, 9, 14 | ForEach-Object { "$_=$($second.Version)/$($second.Sha256)" })
        Wait-Condition -Because 'the owner and both holders hold the second version' -Condition { (Get-Copies 8, 9, 14) -join ';' -eq ($expected -join ';') }
        $fetched = Get-DhtFile 4103 -Via 4 -Destination (Join-Path $local 'fetched')
        $fetched.Version | Should -Be $second.Version
        Get-Content -Raw (Join-Path $local 'fetched') | Should -Be 'second, longer'

        $report = Test-DhtRing -Via $ring[2]
        $report.Problems | Should -BeNullOrEmpty
        $report.IsHealthy | Should -BeTrue
        $file = $report.Files | Where-Object Name -EQ '4103'
        $file.Version | Should -Be $second.Version
        $file.Owner | Should -Be 8
        $file.Holders | Should -Be 8, 9, 14
        @($file.Copies | ForEach-Object Sha256 | Sort-Object -Unique) | Should -Be $second.Sha256
    }

    It 'reports with Test-DhtRing a copy deleted behind its holder''s back, until the owner copies it again' {
        $stored = Write-Content 'three copies' | Save-DhtFile -Via 2
        Wait-Condition -Because 'Test-DhtRing sees three copies' -Condition { (Test-DhtRing -Via $ring[2]).IsHealthy }
        Remove-Item -LiteralPath (Join-Path $data 'peer9/4103')

        $report = Test-DhtRing -Via $ring[2]
        $report.IsHealthy | Should -BeFalse
        $report.UnderReplicated.Name | Should -Be '4103'
        ($report.Problems | Where-Object Kind -EQ UnderReplicated).Message | Should -Be "File 4103 (key 7, version $($stored.Version)) is held by 8, 14 of its holders 8, 9, 14"
        Wait-Condition -Because 'the owner''s next pass copied 4103 to peer 9 again' -TimeoutSeconds 30 -Condition { (Test-DhtRing -Via $ring[2]).IsHealthy }
        Get-Sha256 (Join-Path $data 'peer9/4103') | Should -Be $stored.Sha256
    }

    It 'removes a file with a tombstone its holders keep; a fetch then fails, and a new store wins over it' {
        Write-Content 'to be removed' | Save-DhtFile -Via 2 | Out-Null
        Remove-DhtFile 4103 -Via 2 -WhatIf
        Test-Path (Join-Path $data 'peer8/4103') | Should -BeTrue

        $removed = Remove-DhtFile 4103 -Via 2 -PassThru
        $removed.StoredAt | Should -Be 8
        $removed.Replicas | Should -Be 3
        Wait-Condition -Because 'no peer keeps the bytes of 4103' -Condition {
            @($ids | Where-Object { Test-Path (Join-Path $data "peer$_/4103") }).Count -eq 0
        }
        (Get-PeerEvent 9 -Kind FileRemoved).Message | Should -Contain "File 4103 removed here (version $($removed.Version)), as Peer 8 recorded"
        Get-DhtFile 4103 -Via 5 -Destination (Join-Path $local 'gone') -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtFileNotFound,*'
        Test-Path (Join-Path $local 'gone') | Should -BeFalse

        $again = Write-Content 'stored again' | Save-DhtFile -Via 2
        $again.Version.CompareTo($removed.Version) | Should -BeGreaterThan 0
        Get-DhtFile 4103 -Via 5 -Destination (Join-Path $local 'back') | Out-Null
        Get-Content -Raw (Join-Path $local 'back') | Should -Be 'stored again'
    }

    It 'brings a holder restarted with its data path up to the version stored while it was away' {
        $old = Write-Content 'before the restart' | Save-DhtFile -Via 2
        Wait-Condition -Because 'peer 14 holds a copy' -Condition { (Get-Copies 14) -eq "14=$($old.Version)/$($old.Sha256)" }
        Stop-DhtPeer -Id 14 -Confirm:$false
        $new = Write-Content 'stored while peer 14 was away' | Save-DhtFile -Via 2
        $new.Version.CompareTo($old.Version) | Should -BeGreaterThan 0

        Start-DhtPeer -Id 14 -KnownPeer $ring[2] -Port 0 -PingInterval 1 -DataPath (Join-Path $data 'peer14') | Out-Null
        Wait-Condition -Because 'peer 14 came back and holds the newer version, and peer 19 no longer holds the copy it kept meanwhile' -TimeoutSeconds 45 -Condition {
            ((Get-Copies 14) -eq "14=$($new.Version)/$($new.Sha256)") -and -not (Test-Path (Join-Path $data 'peer19/4103'))
        }
        Get-Content -Raw (Join-Path $data 'peer14/4103') | Should -Be 'stored while peer 14 was away'
    }

    It 'never hands a corrupt copy to the user: the reader takes the next copy, and the corrupt one is copied again' {
        $stored = Write-Content ('x' * 50000) | Save-DhtFile -Via 2
        $copy = Join-Path $data 'peer8/4103'
        Wait-Condition -Because 'all three copies are in place' -Condition { (Get-Copies 8, 9, 14).Count -eq 3 }
        # Bit rot: one byte changes, and neither the length nor the write time does.
        $written = (Get-Item -LiteralPath $copy).LastWriteTimeUtc
        $bytes = [IO.File]::ReadAllBytes($copy)
        $bytes[1000] = [byte][char]'y'
        [IO.File]::WriteAllBytes($copy, $bytes)
        (Get-Item -LiteralPath $copy).LastWriteTimeUtc = $written

        $fetched = Get-DhtFile 4103 -Via 2 -Destination (Join-Path $local 'fetched')
        $fetched.Sha256 | Should -Be $stored.Sha256
        Get-Sha256 (Join-Path $local 'fetched') | Should -Be $stored.Sha256
        $fetched.StoredAt | Should -Be 9
        Wait-Condition -Because 'peer 8 dropped its corrupt copy and got a good one back' -TimeoutSeconds 30 -Condition {
            (Test-Path -LiteralPath $copy) -and (Get-Sha256 $copy) -eq $stored.Sha256
        }
        (Get-PeerEvent 8 -Kind FileCorruptCopyDropped).Count | Should -Be 1
    }

    It 'never hands over a forged copy whose holder recorded its digest: the second opinion refuses it, the next copy is kept, and Test-DhtRing reports it' {
        $stored = Write-Content 'the genuine bytes' | Save-DhtFile -Via 2
        Wait-Condition -Because 'all three copies are in place' -Condition { (Get-Copies 8, 9, 14).Count -eq 3 }
        # Peer 8, the owner, turns liar: stopped, its copy replaced and its index entry rewritten to match, then back on the ring.
        Stop-DhtPeer -Id 8 -Abrupt -Confirm:$false
        Wait-Condition -Because 'the ring repaired around peer 8' -TimeoutSeconds 45 -Condition {
            $walk = Test-DhtRing -Via $ring[2] -SkipFiles
            $walk.IsHealthy -and $walk.MemberIds -notcontains 8
        }
        $copy = Join-Path $data 'peer8/4103'
        [IO.File]::WriteAllText($copy, 'forged bytes, same length')
        $digest = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes('4103'))
        $entryPath = Join-Path $data "peer8/.dhtps-index/$([Convert]::ToHexString($digest, 0, 16).ToLowerInvariant()).json"
        $entry = Get-Content -Raw $entryPath | ConvertFrom-Json
        $item = Get-Item -LiteralPath $copy
        $entry.sha256 = Get-Sha256 $copy
        $entry.length = $item.Length
        $entry.stamp = [pscustomobject]@{ length = $item.Length; lastWriteUtc = $item.LastWriteTimeUtc.ToString('o') }
        $entry | ConvertTo-Json -Compress | Set-Content -NoNewline -LiteralPath $entryPath
        Start-DhtPeer -Id 8 -KnownPeer $ring[2] -Port 0 -PingInterval 1 -DataPath (Join-Path $data 'peer8') | Out-Null
        Wait-Condition -Because 'peer 8 is back on the ring and serves its forged copy' -TimeoutSeconds 45 -Condition {
            (Get-Copies 8) -eq "8=$($stored.Version)/$(Get-Sha256 $copy)" -and (Test-DhtRing -Via $ring[2] -SkipFiles).IsHealthy
        }

        $fetched = Get-DhtFile 4103 -Via 2 -Destination (Join-Path $local 'fetched')
        Get-Content -Raw (Join-Path $local 'fetched') | Should -Be 'the genuine bytes'
        $fetched.Sha256 | Should -Be $stored.Sha256
        $fetched.StoredAt | Should -Not -Be 8
        (Get-PeerEvent 2 -Kind FileTransferRetrying).Message | Should -BeLike "*Peer 8 sent 4103 at version $($stored.Version) with SHA-256 *, but Peer 9 recorded version $($stored.Version) with SHA-256 $($stored.Sha256)*"
        $report = Test-DhtRing -Via $ring[2]
        $report.Inconsistent.Name | Should -Be '4103'
    }

    It 'delivers a small file inside a message, with no stream of its own, and a larger one on a stream (issue 12)' {
        $small = Write-Content ('s' * 32768) | Save-DhtFile -Via 2
        $streamedBefore = (Get-DhtPeer -Id 8 -Statistics).TransferBytesSent
        $fetched = Get-DhtFile 4103 -Via 4 -Destination (Join-Path $local 'small')
        $fetched.Sha256 | Should -Be $small.Sha256
        (Get-DhtPeer -Id 8 -Statistics).TransferBytesSent | Should -Be $streamedBefore

        $large = Write-Content ('l' * 32769) | Save-DhtFile -Via 2
        Get-DhtFile 4103 -Via 4 -Destination (Join-Path $local 'large') | Out-Null
        Get-Sha256 (Join-Path $local 'large') | Should -Be $large.Sha256
        (Get-DhtPeer -Id 8 -Statistics).TransferBytesSent | Should -BeGreaterThan ($streamedBefore + 32768)
    }

    It 'finds a copy that rotted on disk without any read, and copies it again from a good one' {
        $stored = Write-Content ('z' * 40000) | Save-DhtFile -Via 2
        $copy = Join-Path $data 'peer14/4103'
        Wait-Condition -Because 'all three copies are in place' -Condition { (Get-Copies 8, 9, 14).Count -eq 3 }
        $written = (Get-Item -LiteralPath $copy).LastWriteTimeUtc
        $bytes = [IO.File]::ReadAllBytes($copy)
        $bytes[20000] = [byte][char]'q'
        [IO.File]::WriteAllBytes($copy, $bytes)
        (Get-Item -LiteralPath $copy).LastWriteTimeUtc = $written

        Wait-Condition -Because 'peer 14''s scrub dropped the rotten copy and the owner copied a good one back' -TimeoutSeconds 40 -Condition {
            (Get-PeerEvent 14 -Kind FileCorruptCopyDropped).Count -eq 1 -and (Test-Path -LiteralPath $copy) -and (Get-Sha256 $copy) -eq $stored.Sha256
        }
    }
}

Describe 'A storage quota per peer (issue 17, -MaxStorage)' {
    BeforeAll {
        $script:root = Join-Path ([IO.Path]::GetTempPath()) "dhtps-quota-$([guid]::NewGuid().ToString('N'))"
        $script:local = New-Item -ItemType Directory (Join-Path $root 'local')
        # One copy, so that peer 14 alone holds 0010 and 0011 (keys 10 and 11).
        $script:ring = New-DhtTestRing -Id $ids -DataRoot $root -PeerParameter @{ ReplicationFactor = 1; MaxStorage = 100000 }
        function New-Local([string] $Name, [int] $Length) {
            $path = Join-Path $local $Name
            [IO.File]::WriteAllBytes($path, [byte[]]::new($Length))
            $path
        }
    }
    AfterAll {
        Stop-TestRing
        Remove-DhtTestRing
        Remove-Item -Recurse -Force $root
    }

    It 'refuses a store that would pass the quota, with nothing kept, and takes a new version of a file it holds' {
        (Save-DhtFile (New-Local '0010' 60000) -Via 2).StoredAt | Should -Be 14

        Save-DhtFile (New-Local '0011' 60000) -Via 2 -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'DhtFileTransferCorrupted,*'
        $refused[0].Exception.Message | Should -BeLike '*0011 needs 60000 bytes; Peer 14 holds 60000 of its quota of 100000*'
        Test-Path (Join-Path $ring.DataRoot 'peer14/0011') | Should -BeFalse
        @(Get-ChildItem -Force (Join-Path $ring.DataRoot 'peer14') -Filter '*.partial').Count | Should -Be 0

        (Save-DhtFile (New-Local '0010' 90000) -Via 2).Length | Should -Be 90000
        (Get-Item (Join-Path $ring.DataRoot 'peer14/0010')).Length | Should -Be 90000
    }
}

Describe 'A whole ring stopped and restarted from its data paths (issue 11)' {
    BeforeAll {
        $script:root = Join-Path ([IO.Path]::GetTempPath()) "dhtps-restart-$([guid]::NewGuid().ToString('N'))"
        $script:local = New-Item -ItemType Directory (Join-Path $root 'local')
        $script:ring = New-DhtTestRing -Id $ids -DataRoot $root
        $script:names = 1..40 | ForEach-Object { 'restart-{0:D2}.bin' -f $_ }
        $script:sha = @{}
        $random = [Random]::new(4242)
        foreach ($name in $names) {
            $bytes = [byte[]]::new($random.Next(1, 100000))
            $random.NextBytes($bytes)
            $path = Join-Path $local $name
            [IO.File]::WriteAllBytes($path, $bytes)
            $sha[$name] = Get-Sha256 $path
            Save-DhtFile -LiteralPath $path -Via $ring[2] | Out-Null
        }
    }
    AfterAll {
        Stop-TestRing
        Remove-DhtTestRing
        Remove-Item -Recurse -Force $root
    }

    It 'gives back every file, byte-identical, on exactly three peers each, after every peer stopped and came back' {
        Wait-Condition -Because 'Test-DhtRing sees three copies of each of the 40 files' -TimeoutSeconds 30 -Condition {
            $report = Test-DhtRing -Via $ring[2]
            $report.IsHealthy -and $report.Files.Count -eq 40
        }
        Stop-DhtPeer -Id $ids -Abrupt -Confirm:$false

        Start-DhtPeer -Id $ids[0] -Port 0 -PingInterval 1 -DataPath (Join-Path $ring.DataRoot "peer$($ids[0])") | Out-Null
        $first = "$($ids[0])@$((Get-DhtPeer -Id $ids[0]).EndPoint)"
        foreach ($id in $ids[1..($ids.Count - 1)]) {
            Start-DhtPeer -Id $id -KnownPeer $first -Port 0 -PingInterval 1 -DataPath (Join-Path $ring.DataRoot "peer$id") | Out-Null
        }
        Wait-Condition -Because 'the restarted ring is whole, and every file is on exactly its three holders at one version' -TimeoutSeconds 90 -Condition {
            $report = Test-DhtRing -Via $ids[0]
            $report.IsHealthy -and $report.Members.Count -eq $ids.Count -and $report.Files.Count -eq 40
        }
        foreach ($name in $names) {
            $target = Join-Path $local "back-$name"
            Get-DhtFile -Name $name -Via $ids[3] -Destination $target | Out-Null
            Get-Sha256 $target | Should -Be $sha[$name]
        }
        @(Test-DhtRing -Via $ids[0]).Files | ForEach-Object { @($_.Copies).Count } | Sort-Object -Unique | Should -Be 3
    }
}
