BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    Stop-TestRing
    $script:original = [ulong[]](2, 4, 5, 8, 9, 14, 19)
}

Describe 'Resolve-DhtKey on the ring 2, 4, 5, 8, 9, 14, 19' {
    BeforeAll {
        $script:root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-lookup-$([guid]::NewGuid().ToString('N'))"
        $script:local = New-Item -ItemType Directory (Join-Path $root 'local')
        $script:ring = New-DhtTestRing -Id $original -DataRoot $root -Routing Successor
    }
    AfterAll {
        Remove-DhtTestRing
        Remove-Item -Recurse -Force $root
    }

    It 'names peer 19 as the owner of 2067 (key 19) from peer 8' {
        $owner = Resolve-DhtKey 2067 -Via 8

        $owner | Should -BeOfType DhtPs.Core.Peer.DhtKeyOwner
        $owner.Name | Should -Be '2067'
        $owner.Key | Should -Be 19
        $owner.Owner | Should -Be 19
        "$($owner.OwnerEndPoint)" | Should -Be ($ring[19] -replace '^19@')
        $owner.Hops | Should -BeGreaterThan 0
    }

    It 'wraps past the top: 2012.pdf has key 220, owned by peer 2' {
        $owner = Resolve-DhtKey -Name 2012.pdf -Via 14
        $owner.Key | Should -Be 220
        $owner.Owner | Should -Be 2
    }

    It 'resolves a bare key equal to a peer id to that peer' {
        $owner = Resolve-DhtKey -Key 14 -Via 2
        $owner.Name | Should -BeNullOrEmpty
        $owner.Key | Should -Be 14
        $owner.Owner | Should -Be 14
    }

    It 'takes names from the pipeline, as strings and as files, one owner per name in order' {
        $owners = '2067', '4103' | Resolve-DhtKey -Via 5
        $owners.Owner | Should -Be @(19, 8)

        $null = New-Item -ItemType File (Join-Path $local '0014'), (Join-Path $local '2012.pdf')
        $files = Get-ChildItem $local | Sort-Object Name | Resolve-DhtKey -Via 9
        $files.Name | Should -Be @('0014', '2012.pdf')
        $files.Owner | Should -Be @(14, 2)
    }

    It 'names the peer Save-DhtFile stores a file at' {
        foreach ($name in 'notes.txt', '0009', 'report-2026.csv') {
            $path = Join-Path $local $name
            Set-Content -LiteralPath $path -Value $name
            $stored = Save-DhtFile -LiteralPath $path -Via 4
            $owner = $stored | Resolve-DhtKey -Via 19
            $owner.Key | Should -Be $stored.Key -Because "$name has one key"
            $owner.Owner | Should -Be $stored.StoredAt -Because "$name is stored at its owner"
        }
    }

    It 'writes DhtUnsafeFileName for an unsafe name and goes on with the next' {
        $owners = Resolve-DhtKey -Name '../escape', '2067' -Via 8 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DhtUnsafeFileName,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].TargetObject | Should -Be '../escape'
        $owners.Owner | Should -Be 19
    }

    It 'writes DhtKeyOutOfRange for a key outside the 8-bit id space' {
        $owner = Resolve-DhtKey -Key 256 -Via 8 -ErrorVariable failures -ErrorAction SilentlyContinue
        $owner | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DhtKeyOutOfRange,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'asks which peer to enter at when the session runs several' {
        { Resolve-DhtKey 2067 -ErrorAction Stop } | Should -Throw -ErrorId 'DhtLocalPeerAmbiguous,*'
    }
}
