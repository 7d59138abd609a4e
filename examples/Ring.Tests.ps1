# A complete Pester test file for a DhtPs ring (README: "Testing a ring with Pester").
# Run it with:  Invoke-Pester ./examples/Ring.Tests.ps1
BeforeAll {
    # In the DhtPs repository the module is the parent folder; once installed, Import-Module DhtPs finds it.
    $repository = Join-Path $PSScriptRoot '../DhtPs.psd1'
    Import-Module ((Test-Path $repository) ? $repository : 'DhtPs')
}

Describe 'The ring 2, 4, 5, 8, 9, 14, 19' {
    BeforeAll {
        $ring = New-DhtTestRing -Id 2, 4, 5, 8, 9, 14, 19
        $files = New-Item -ItemType Directory (Join-Path $TestDrive 'files')
    }
    AfterAll {
        Remove-DhtTestRing
    }

    It 'is formed: every peer knows its next four (three copies of each file need r + 1) and its previous four' {
        $ring | Should -BeDhtRing 2, 4, 5, 8, 9, 14, 19
        $ring | Should -BeHealthyDhtRing
        # A peer names its first two successors at start and learns the rest from its first successor within a few pings.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Get-DhtPeer -Id 19).Successors.Count -lt 4 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Get-DhtPeer -Id 19 | Should -HaveDhtSuccessors 2, 4, 5, 8
    }

    It 'stores a file at the owner of its key and gives it back' {
        Set-Content -LiteralPath (Join-Path $files '2067') -Value 'key 2067 mod 256 = 19'
        $stored = Save-DhtFile -LiteralPath (Join-Path $files '2067') -Via 4
        $stored.StoredAt | Should -Be 19
        $stored.Replicas | Should -Be 3   # 19 and its next two successors, 2 and 4
        $ring | Should -HoldDhtFile '2067'
        $copy = Get-DhtFile -Name '2067' -Via 8 -Destination (Join-Path $files 'copy')
        Get-Content -LiteralPath $copy.Path | Should -Be 'key 2067 mod 256 = 19'
    }

    It 'closes the ring around a peer killed abruptly, and takes it back on restart' {
        $ring.Kill(9)
        $ring | Wait-DhtRing -Members 2, 4, 5, 8, 14, 19 -Timeout 60
        $ring[8] | Should -HaveDhtSuccessors 14, 19, 2, 4

        $ring.Restart(9)
        $ring | Wait-DhtRing -Members 2, 4, 5, 8, 9, 14, 19 -Timeout 60
        $ring | Should -BeDhtRing 2, 4, 5, 8, 9, 14, 19
    }
}

Describe 'A ring of processes' {
    BeforeAll {
        $ring = New-DhtTestRing -Count 4 -Process
    }
    AfterAll {
        Remove-DhtTestRing
    }

    It 'survives a member killed with SIGKILL' {
        $ring.MemberIds | Should -Be 32, 96, 160, 224
        $ring.Kill(96)
        $ring | Wait-DhtRing -Count 3 -Timeout 60
        $ring | Should -BeDhtRing 32, 160, 224
        $ring[96].IsRunning | Should -BeFalse
    }
}
