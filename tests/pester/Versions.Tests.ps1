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
}
