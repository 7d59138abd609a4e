BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    # The original program's behaviour: one copy of each file, two successors (copies: Replicas.Tests.ps1).
    $global:PSDefaultParameterValues['Start-DhtPeer:ReplicationFactor'] = 1
    Stop-TestRing
    $script:original = [ulong[]](2, 4, 5, 8, 9, 14, 19)

    function New-TestFile([string] $Path, [int] $Length) {
        $bytes = [byte[]]::new($Length)
        [System.Random]::new($Length).NextBytes($bytes)
        [System.IO.File]::WriteAllBytes($Path, $bytes)
        Get-Item -LiteralPath $Path
    }

    function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant() }

    # What a peer said about files since a moment, in order.
    function Get-FileEvent([ulong] $Id, [DateTimeOffset] $Since) {
        @(Get-PeerEvent $Id | Where-Object { $_.Time -ge $Since -and "$($_.Kind)" -match '^(Store|File)' } | ForEach-Object Message)
    }

    # A failed transfer is a warning of the peer's job, not an event in its output: what a peer warned about a file.
    function Get-FileWarning([ulong] $Id, [string] $Name) {
        @(Get-Job -Name "DhtPeer$Id" -ErrorAction Ignore | ForEach-Object { $_.Warning.Message } | Where-Object { $_ -like "*$Name*" })
    }

    # The original ring with a data folder per peer and a local folder for the files to store, all under one temp root.
    function Start-FileRing {
        $script:root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-files-$([guid]::NewGuid().ToString('N'))"
        $script:local = New-Item -ItemType Directory (Join-Path $root 'local')
        $script:ring = New-DhtTestRing -Id $original -DataRoot $root -Routing Successor
        # Each member keeps its files in DataRoot/peer<id>.
        $script:data = $ring.DataRoot
    }

    function Stop-FileRing {
        Stop-TestRing
        Remove-DhtTestRing
        Remove-Item -Recurse -Force $root
    }

    function Get-OwnerOf([string] $Name, [ulong[]] $Ring) {
        $key = [DhtPs.Core.Storage.FileKey]::Of($Name, [DhtPs.Core.Ring.IdSpace]::new(8))
        [DhtPs.Core.Ring.IdSpace]::new(8).SuccessorOf($key, $Ring)
    }
}

Describe 'Storing and retrieving files on the ring 2, 4, 5, 8, 9, 14, 19 (SPEC sections 7-9)' {
    BeforeAll {
        Start-FileRing
        Push-Location $local
    }
    AfterAll {
        Pop-Location
        Stop-FileRing
    }
    BeforeEach {
        $script:mark = [DateTimeOffset]::UtcNow
    }

    It 'stores 2067 at peer 8 along 8 -> 9 -> 14 -> 19, byte-identical on 19''s disk' {
        $file = New-TestFile (Join-Path $local '2067') 300000
        $stored = Save-DhtFile -Path $file.FullName -Via 8

        $stored | Should -BeOfType DhtPs.Core.Peer.DhtFileInfo
        $stored.Name | Should -Be '2067'
        $stored.Key | Should -Be 19
        $stored.StoredAt | Should -Be 19
        $stored.Hops | Should -Be 3
        $stored.Length | Should -Be 300000
        $stored.Sha256 | Should -Be (Get-Sha256 $file.FullName)
        Get-FileEvent 8 $mark | Should -Be @('Store 2067 request forwarded to my successor')
        Get-FileEvent 9 $mark | Should -Be @('Store 2067 request forwarded to my successor')
        Get-FileEvent 14 $mark | Should -Be @('Store 2067 request forwarded to my successor')
        Wait-Condition -Because 'peer 19 stored the file' -Condition { (Get-FileEvent 19 $mark).Count -eq 2 }
        Get-FileEvent 19 $mark | Should -Be @('Store 2067 request accepted', 'File 2067 has been stored here')
        foreach ($id in 2, 4, 5) { Get-FileEvent $id $mark | Should -BeNullOrEmpty }
        Get-Sha256 (Join-Path $data 'peer19/2067') | Should -Be $stored.Sha256
    }

    It 'retrieves 4103 at peer 2 from its owner 8 with exactly the original messages' {
        $file = New-TestFile (Join-Path $local '4103') 70000
        Save-DhtFile -Path $file.FullName -Via 8 | Select-Object -ExpandProperty StoredAt | Should -Be 8
        Wait-Condition -Because 'peer 8 stored 4103' -Condition { Test-Path (Join-Path $data 'peer8/4103') }
        $script:mark = [DateTimeOffset]::UtcNow

        $got = Get-DhtFile -Name 4103 -Via 2

        $received = Join-Path $local 'received_4103'
        $got.Path | Should -Be $received
        $got.StoredAt | Should -Be 8
        $got.Hops | Should -Be 3
        Get-Sha256 $received | Should -Be (Get-Sha256 $file.FullName)
        try {
            Wait-Condition -Because 'peer 8 finished sending' -Condition { (Get-FileEvent 8 $mark).Count -eq 3 -or (Get-FileWarning 8 4103) }
        }
        catch {
            # Seen twice in loaded runs and not explained yet: say everything both ends did since the request.
            $story = foreach ($id in 8, 2) { Get-PeerEvent $id | Where-Object Time -GE $mark | ForEach-Object { "$id $($_.Time.ToString('HH:mm:ss.fff')) $($_.Kind): $($_.Message)" } }
            throw "$_ Since the request: $($story -join ' | ')"
        }
        Get-FileWarning 8 4103 | Should -BeNullOrEmpty -Because 'the sender got the receiver''s confirmation'
        Get-FileEvent 2 $mark | Should -Be @(
            'File request for 4103 has been sent to my successor'
            'Peer 8 had File 4103'
            'Receiving File 4103 from Peer 8'
            'File 4103 received')
        Get-FileEvent 4 $mark | Should -Be @('Request for File 4103 has been received, but the file is not stored here')
        Get-FileEvent 5 $mark | Should -Be @('Request for File 4103 has been received, but the file is not stored here')
        Get-FileEvent 8 $mark | Should -Be @('File 4103 is stored here', 'Sending file 4103 to Peer 2', 'The file has been sent')
        foreach ($id in 9, 14, 19) { Get-FileEvent $id $mark | Should -BeNullOrEmpty }
    }

    It 'wraps past the top: 2012.pdf has key 220 and lives at peer 2, and keeps its extension when received' {
        $file = New-TestFile (Join-Path $local '2012.pdf') 1234
        $stored = Save-DhtFile -Path $file.FullName -Via 9
        $stored.Key | Should -Be 220
        $stored.StoredAt | Should -Be 2
        Get-Sha256 (Join-Path $data 'peer2/2012.pdf') | Should -Be $stored.Sha256
        $got = Get-DhtFile 2012.pdf -Via 14 -Destination $root
        $got.Path | Should -Be (Join-Path $root 'received_2012.pdf')
        Get-Sha256 $got.Path | Should -Be $stored.Sha256
    }

    It 'stores a key equal to a peer id at that peer (0014 -> 14)' {
        $file = New-TestFile (Join-Path $local '0014') 10
        $stored = Save-DhtFile -Path $file.FullName -Via 2
        $stored.Key | Should -Be 14
        $stored.StoredAt | Should -Be 14
        Test-Path (Join-Path $data 'peer14/0014') | Should -BeTrue
        Test-Path (Join-Path $data 'peer19/0014') | Should -BeFalse
    }

    It 'stores and serves a file its entry peer owns itself, from its own store, with the owner''s messages' {
        $file = New-TestFile (Join-Path $local '5000') 4096   # key 5000 mod 256 = 136 -> peer 2
        $script:mark = [DateTimeOffset]::UtcNow
        Save-DhtFile -Path $file.FullName -Via 2 | Select-Object -ExpandProperty StoredAt | Should -Be 2
        Wait-Condition -Because 'peer 2 reported the store' -Condition { (Get-FileEvent 2 $mark).Count -eq 2 }
        Get-FileEvent 2 $mark | Should -Be @('Store 5000 request accepted', 'File 5000 has been stored here')
        $script:mark = [DateTimeOffset]::UtcNow
        $target = Join-Path $root 'own-copy'
        $got = Get-DhtFile 5000 -Via 2 -Destination $target
        $got.Path | Should -Be $target
        $got.Hops | Should -Be 0
        Get-Sha256 $target | Should -Be (Get-Sha256 $file.FullName)
        Wait-Condition -Because 'peer 2 reported the copy' -Condition { (Get-FileEvent 2 $mark).Count -eq 2 }
        Get-FileEvent 2 $mark | Should -Be @('File 5000 is stored here', 'File 5000 received')
        foreach ($id in 4, 5, 8, 9, 14, 19) { Get-FileEvent $id $mark | Should -BeNullOrEmpty }
    }

    It 'keys a name that is not a file number by SHA-256 and finds it again' {
        $name = 'quarterly report.txt'
        $file = New-TestFile (Join-Path $local $name) 5000
        $owner = Get-OwnerOf $name $original
        $stored = Save-DhtFile -LiteralPath $file.FullName -Via 5
        $stored.Key | Should -Be ([DhtPs.Core.Storage.FileKey]::Of($name, [DhtPs.Core.Ring.IdSpace]::new(8)))
        $stored.StoredAt | Should -Be $owner
        $got = Get-DhtFile $name -Via 19
        Get-Sha256 $got.Path | Should -Be $stored.Sha256
        Split-Path -Leaf $got.Path | Should -Be "received_$name"
        # The owner reports the sending once the copy is confirmed, which may come after Get-DhtFile returned.
        Wait-Condition -Because "peer $owner finished sending" -Condition { (Get-FileEvent $owner $mark) -contains 'The file has been sent' }
    }

    It 'refuses an unsafe name before anything is sent' {
        $file = New-TestFile (Join-Path $local 'safe') 10
        Save-DhtFile -Path $file.FullName -Name '../escape' -Via 8 -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtUnsafeFileName,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-DhtFile 'a/b' -Via 8 -ErrorVariable failedGet -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failedGet[0].FullyQualifiedErrorId | Should -BeLike 'DhtUnsafeFileName,*'
        foreach ($id in $original) { Get-FileEvent $id $mark | Should -BeNullOrEmpty }
    }

    It 'fails with "File does not exist" for a missing local file and sends nothing' {
        Save-DhtFile -Path (Join-Path $local '7777') -Via 8 -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].Exception.Message | Should -BeLike 'File does not exist*'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtFileDoesNotExist,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        foreach ($id in $original) { Get-FileEvent $id $mark | Should -BeNullOrEmpty }
    }

    It 'reports a file that is not in the ring, naming the peer that should hold it, and writes nothing' {
        Get-DhtFile 9999 -Via 2 -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty   # key 15 -> peer 19
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtFileNotFound,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].Exception.Message | Should -Match 'Peer 19'
        Test-Path (Join-Path $local 'received_9999') | Should -BeFalse
        Wait-Condition -Because 'peer 19 said so' -Condition { (Get-FileEvent 19 $mark) -contains 'File 9999 should be stored here, but is not' }
    }

    It 'leaves no file behind when the owner''s copy has rotted on disk' {
        $file = New-TestFile (Join-Path $local '2070') 200000   # key 22 -> peer 2
        $stored = Save-DhtFile -Path $file.FullName -Via 19
        $onDisk = Get-Item (Join-Path $data "peer$($stored.StoredAt)/2070")
        $written = $onDisk.LastWriteTimeUtc
        $bytes = [System.IO.File]::ReadAllBytes($onDisk.FullName)
        $bytes[1000] = $bytes[1000] -bxor 0xFF
        [System.IO.File]::WriteAllBytes($onDisk.FullName, $bytes)
        $onDisk.LastWriteTimeUtc = $written   # same length and time: the owner still announces the old SHA-256

        Get-DhtFile 2070 -Via 9 -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DhtFileTransferCorrupted,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidData'
        Test-Path (Join-Path $local 'received_2070') | Should -BeFalse
        Get-ChildItem -LiteralPath $local -Force -Filter '.dhtps-*' | Should -BeNullOrEmpty
    }

    It 'stores the files Get-ChildItem pipes in, and gets them back by name from the pipeline' {
        $folder = New-Item -ItemType Directory (Join-Path $root 'batch')
        $files = 3001, 3002, 3003 | ForEach-Object { New-TestFile (Join-Path $folder "$_") (100 * $_) }
        $stored = Get-ChildItem -LiteralPath $folder | Save-DhtFile -Via 8
        $stored.Name | Should -Be '3001', '3002', '3003'
        $stored.StoredAt | Should -Be ($stored.Name | ForEach-Object { Get-OwnerOf $_ $original })
        $got = $stored | Get-DhtFile -Via 4
        $got.Path | Should -Be ($files | ForEach-Object { Join-Path $local "received_$($_.Name)" })
        for ($i = 0; $i -lt 3; $i++) { Get-Sha256 $got[$i].Path | Should -Be (Get-Sha256 $files[$i].FullName) }
    }

    It 'stores only the first of several files under one -Name, and refuses the others' {
        $folder = New-Item -ItemType Directory (Join-Path $root 'named')
        $first, $second = 3101, 3102 | ForEach-Object { New-TestFile (Join-Path $folder "$_") (1000 + $_) }
        $stored = Get-ChildItem -LiteralPath $folder | Save-DhtFile -Via 8 -Name 3199 -ErrorVariable failed -ErrorAction SilentlyContinue
        $stored.Name | Should -Be '3199'
        $stored.Sha256 | Should -Be (Get-Sha256 $first.FullName)
        $failed.FullyQualifiedErrorId | Should -Be 'DhtFileNameForSeveralFiles,DhtPs.Commands.SaveDhtFileCommand'
        $failed.TargetObject | Should -Be $second.FullName
        $got = Get-DhtFile 3199 -Via 2
        Get-Sha256 $got.Path | Should -Be (Get-Sha256 $first.FullName)
    }

    It 'keeps stores and requests from several runspaces at once correct' {
        $manifest = Join-Path $PSScriptRoot '../../DhtPs.psd1'
        $folder = New-Item -ItemType Directory (Join-Path $root 'parallel')
        $jobs = 1..12 | ForEach-Object { [pscustomobject]@{ Name = "{0:0000}" -f (6000 + 17 * $_); Via = $original[$_ % 7] } }
        foreach ($job in $jobs) { New-TestFile (Join-Path $folder $job.Name) (20000 + $job.Name) | Out-Null }

        $stored = $jobs | ForEach-Object -ThrottleLimit 6 -Parallel {
            Import-Module $using:manifest
            Save-DhtFile -Path (Join-Path $using:folder $_.Name) -Via $_.Via -ErrorAction Stop
        }
        $stored.Count | Should -Be 12
        $fetched = $jobs | ForEach-Object -ThrottleLimit 6 -Parallel {
            Import-Module $using:manifest
            Get-DhtFile $_.Name -Via $_.Via -Destination (Join-Path $using:folder "copy-$($_.Name)") -ErrorAction Stop
        }
        $fetched.Count | Should -Be 12
        foreach ($job in $jobs) {
            Get-Sha256 (Join-Path $folder "copy-$($job.Name)") | Should -Be (Get-Sha256 (Join-Path $folder $job.Name))
            ($stored | Where-Object Name -EQ $job.Name).StoredAt | Should -Be (Get-OwnerOf $job.Name $original)
        }
    }

    It 'says so when nobody answers at -Via, and refuses an ambiguous default' {
        # A bare id this session does not run names a peer elsewhere (127.0.0.1:12000 + id): nobody listens there.
        Get-DhtFile 4103 -Via 77 -ErrorVariable unknown -ErrorAction SilentlyContinue
        $unknown[0].FullyQualifiedErrorId | Should -BeLike 'DhtFileUnroutable,*'
        $unknown[0].Exception.Message | Should -BeLike '*127.0.0.1:12077*'
        Get-DhtFile 4103 -ErrorVariable ambiguous -ErrorAction SilentlyContinue
        $ambiguous[0].FullyQualifiedErrorId | Should -BeLike 'DhtLocalPeerAmbiguous,*'
    }
}

Describe 'What each peer holds on its disk (Get-DhtStoredFile)' {
    BeforeAll {
        Start-FileRing
    }
    AfterAll {
        Stop-FileRing
    }

    It 'lists every file at its owner with its key, length and SHA-256, filters by id and name, and marks a stray copy' {
        $stored = foreach ($name in '2067', '4103', '2012.pdf') {    # keys 19, 7 and 220: peers 19, 8 and 2
            $file = New-TestFile (Join-Path $local $name) (500 + $name.Length)
            Save-DhtFile -Path $file.FullName -Via 4
        }
        # A copy left at peer 2 whose key is peer 19's, as a peer restarted on an old data path would hold it.
        Copy-Item (Join-Path $data 'peer19/2067') (Join-Path $data 'peer2/2067')

        $all = Get-DhtStoredFile
        $all | ForEach-Object { "$($_.PeerId):$($_.Name):$($_.Key):$($_.Role)" } |
            Should -Be '2:2012.pdf:220:Owner', '2:2067:19:Stray', '8:4103:7:Owner', '19:2067:19:Owner'
        foreach ($file in $stored) {
            $listed = $all | Where-Object { $_.Name -eq $file.Name -and $_.PeerId -eq $file.StoredAt }
            $listed.Sha256 | Should -Be $file.Sha256
            $listed.Length | Should -Be $file.Length
            $listed.Path | Should -Be (Join-Path $data "peer$($file.StoredAt)/$($file.Name)")
        }
        (Get-DhtStoredFile -Id 8).Name | Should -Be '4103'
        (Get-DhtPeer -Id 2, 8 | Get-DhtStoredFile -Name '*.PDF', '41*').Name | Should -Be '2012.pdf', '4103'

        Get-DhtStoredFile -Id 3, 19 -ErrorVariable missing -ErrorAction SilentlyContinue | Select-Object -ExpandProperty PeerId | Should -Be 19
        $missing[0].FullyQualifiedErrorId | Should -Be 'DhtPeerNotFound,DhtPs.Commands.GetDhtStoredFileCommand'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Files and a graceful departure' {
    BeforeEach {
        Start-FileRing
    }
    AfterEach {
        Stop-FileRing
    }

    It 'hands the files of a departing owner to its successor, where they are found afterwards' {
        $files = '2067', '2066', '0017' | ForEach-Object { New-TestFile (Join-Path $local $_) 50000 }   # keys 19, 18, 17 -> peer 19
        $stored = $files | Save-DhtFile -Via 8
        $stored.StoredAt | Should -Be 19, 19, 19

        Stop-DhtPeer -Id 19 -Confirm:$false

        Get-ChildItem -LiteralPath (Join-Path $data 'peer19') | Should -BeNullOrEmpty
        foreach ($file in $files) {
            Get-Sha256 (Join-Path $data "peer2/$($file.Name)") | Should -Be (Get-Sha256 $file.FullName)
            (Get-PeerEvent 2 -Kind FileTakenOver).Message | Should -Contain "File $($file.Name) taken over from Peer 19"
        }
        $remaining = $original | Where-Object { $_ -ne 19 }
        Wait-DhtRing -Members $remaining | Out-Null
        $got = $files.Name | Get-DhtFile -Via 8 -Destination $root
        $got.StoredAt | Should -Be 2, 2, 2
        for ($i = 0; $i -lt 3; $i++) { Get-Sha256 $got[$i].Path | Should -Be (Get-Sha256 $files[$i].FullName) }
    }
}

Describe 'Files and a join (SPEC section 10)' {
    BeforeEach {
        Start-FileRing
    }
    AfterEach {
        Stop-FileRing
    }

    It 'gives a newcomer the files whose keys it now owns; they are found there, and the others stay' {
        $files = '0015', '2063', '0017' | ForEach-Object { New-TestFile (Join-Path $local $_) 40000 }   # keys 15, 15, 17 -> peer 19
        $stored = $files | Save-DhtFile -Via 8
        $stored.StoredAt | Should -Be 19, 19, 19

        Start-DhtPeer -Id 15 -KnownPeer $ring[4] -Port 0 -PingInterval 1 -Routing Successor -DataPath (Join-Path $data 'peer15') | Out-Null

        Wait-Condition -Because 'peer 15 took over the files of keys 14 < key <= 15' -Condition {
            (Test-Path (Join-Path $data 'peer15/0015')) -and (Test-Path (Join-Path $data 'peer15/2063')) -and
            -not (Test-Path (Join-Path $data 'peer19/0015')) -and -not (Test-Path (Join-Path $data 'peer19/2063'))
        }
        Test-Path (Join-Path $data 'peer19/0017') | Should -BeTrue
        Test-Path (Join-Path $data 'peer15/0017') | Should -BeFalse
        (Get-PeerEvent 19 -Kind FileHandedOff).Message | Sort-Object | Should -Be 'File 0015 handed off to Peer 15', 'File 2063 handed off to Peer 15'
        (Get-PeerEvent 15 -Kind FileTakenOver).Message | Sort-Object | Should -Be 'File 0015 taken over from Peer 19', 'File 2063 taken over from Peer 19'

        $got = '0015', '2063', '0017' | Get-DhtFile -Via 2 -Destination $root
        $got.StoredAt | Should -Be 15, 15, 19
        for ($i = 0; $i -lt 3; $i++) { Get-Sha256 $got[$i].Path | Should -Be (Get-Sha256 $files[$i].FullName) }
        Get-PeerEvent 15 -Kind FileMissing | Should -BeNullOrEmpty
    }
}

Describe 'The default routing through fingers on the same ring (SPEC 9a)' {
    BeforeAll {
        $script:root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-fingers-$([guid]::NewGuid().ToString('N'))"
        $script:data = Join-Path $root 'peers'
        $script:local = New-Item -ItemType Directory (Join-Path $root 'local')
        $script:ring = New-DhtTestRing -Id $original -DataRoot $data -Routing Fingers
        # Peer 8's finger 3 (start 16) is 19, learned by a lookup; its successors 9 and 14 cover fingers 0 to 2.
        # Finger lookups teach the owner cache nothing, so the routes below do not depend on when they ran.
        Wait-Condition -Because 'peer 8 learned the finger the store below takes' -TimeoutSeconds 30 -Condition {
            (Get-DhtPeer -Id 8).Fingers[3].Id -eq 19
        }
        Push-Location $local
    }
    AfterAll {
        Pop-Location
        Stop-TestRing
        Remove-DhtTestRing
        Remove-Item -Recurse -Force $root
    }

    It 'stores 2067 at peer 8 along 8 -> 14 -> 19, naming the hop that is not the first successor' {
        $mark = [DateTimeOffset]::UtcNow
        $file = New-TestFile (Join-Path $local '2067') 1024

        $stored = Save-DhtFile -Path $file.FullName -Via 8

        $stored.StoredAt | Should -Be 19
        $stored.Hops | Should -Be 2
        Get-FileEvent 8 $mark | Should -Be @('Store 2067 request forwarded to Peer 14')
        Get-FileEvent 14 $mark | Should -Be @('Store 2067 request forwarded to my successor')
        Wait-Condition -Because 'peer 19 stored the file' -Condition { (Get-FileEvent 19 $mark).Count -eq 2 }
        foreach ($id in 2, 4, 5, 9) { Get-FileEvent $id $mark | Should -BeNullOrEmpty }
    }

    It 'retrieves 4103 at peer 2 along 2 -> 5 -> 8' {
        $file = New-TestFile (Join-Path $local '4103') 1024
        Save-DhtFile -Path $file.FullName -Via 8 | Select-Object -ExpandProperty StoredAt | Should -Be 8
        $mark = [DateTimeOffset]::UtcNow

        $got = Get-DhtFile -Name 4103 -Via 2

        $got.StoredAt | Should -Be 8
        $got.Hops | Should -Be 2
        (Get-FileEvent 2 $mark)[0] | Should -Be 'File request for 4103 has been sent to Peer 5'
        Get-FileEvent 5 $mark | Should -Be @('Request for File 4103 has been received, but the file is not stored here')
        Get-FileEvent 4 $mark | Should -BeNullOrEmpty
    }

    It 'retrieves 4103 at peer 2 again straight from its owner 8, which peer 2 now knows (the owner cache)' {
        Get-DhtFile -Name 4103 -Via 2 -Destination (Join-Path $local 'first_4103') | Out-Null
        $mark = [DateTimeOffset]::UtcNow

        $got = Get-DhtFile -Name 4103 -Via 2 -Destination (Join-Path $local 'again_4103')

        $got.StoredAt | Should -Be 8
        $got.Hops | Should -Be 1
        (Get-FileEvent 2 $mark)[0] | Should -Be 'File request for 4103 has been sent to Peer 8'
        Get-FileEvent 5 $mark | Should -BeNullOrEmpty
        (Get-FileHash (Join-Path $local 'again_4103')).Hash | Should -Be (Get-FileHash (Join-Path $local '4103')).Hash
    }
}

AfterAll {
    $global:PSDefaultParameterValues.Remove('Start-DhtPeer:ReplicationFactor')
}
