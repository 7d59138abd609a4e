# Tab completion (TabExpansion2, as the console runs it) of local peers and stored file names.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    Stop-TestRing
    $script:root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-completion-$([guid]::NewGuid().ToString('N'))"
    $script:ring = New-DhtTestRing -Id 3, 40, 41 -DataRoot $root -Routing Successor

    # What TabExpansion2 offers with the cursor at the end of the line.
    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}
AfterAll {
    Remove-DhtTestRing
    Stop-TestRing
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}

Describe 'Completing peers' {
    It 'completes Stop-DhtPeer -Id with the ids of the local peers, each with its endpoint' {
        $matches = Get-Completion 'Stop-DhtPeer -Id '
        $matches.CompletionText | Should -Be '3', '40', '41'
        $matches[0].ToolTip | Should -Be "Peer 3 at $($ring[3].EndPoint) (Running)"
    }

    It 'completes only the ids that start with what was typed' {
        (Get-Completion 'Stop-DhtPeer -Id 4').CompletionText | Should -Be '40', '41'
    }

    It 'completes Get-DhtFile -Via with the local peers' {
        (Get-Completion 'Get-DhtFile -Name x -Via ').CompletionText | Should -Be '3', '40', '41'
    }

    It 'completes -KnownPeer with ids and then id@host:port' {
        $texts = (Get-Completion 'Join-DhtRing -Id 3 -KnownPeer ').CompletionText
        $texts | Should -Be '3', '40', '41', $ring[3].Contact, $ring[40].Contact, $ring[41].Contact
        (Get-Completion 'Start-DhtPeer -Id 7 -KnownPeer 40@').CompletionText | Should -Be $ring[40].Contact
    }
}

Describe 'Completing stored names' {
    BeforeAll {
        $script:local = New-Item -ItemType Directory (Join-Path $root 'local')
        foreach ($name in 'alpha.txt', 'alps.bin', 'beta notes.txt') {
            Set-Content -LiteralPath (Join-Path $local $name) -Value $name
        }
        Get-ChildItem $local | Save-DhtFile -Via 3 -ErrorAction Stop | Out-Null
    }

    It 'completes Get-DhtFile -Name with the names in the ring' {
        (Get-Completion 'Get-DhtFile -Name al').CompletionText | Should -Be 'alpha.txt', 'alps.bin'
    }

    It 'quotes a name PowerShell would otherwise split' {
        (Get-Completion 'Get-DhtFile -Name be').CompletionText | Should -Be "'beta notes.txt'"
    }

    It 'completes names the local peers hold though this session never stored them' {
        $holder = Get-DhtPeer -Id 41
        New-Item -ItemType Directory $holder.DataPath -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $holder.DataPath 'gamma.txt') -Value 'placed by hand'
        $match = Get-Completion 'Resolve-DhtKey -Name gam'
        $match.CompletionText | Should -Be 'gamma.txt'
        $match.ToolTip | Should -Be 'Held by Peer 41'
    }
}
