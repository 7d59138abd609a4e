# The package installs with PSResourceGet and the installed module works on its own.
BeforeAll {
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "dhtps-package-test-$([guid]::NewGuid().ToString('n'))"
    $script:feed = Join-Path $work 'feed'
    $script:installed = Join-Path $work 'installed'
    $script:repository = "DhtPsTest$([guid]::NewGuid().ToString('n'))"
    & (Join-Path $PSScriptRoot '../../build/New-ModulePackage.ps1') -OutputPath $feed | Out-Null
    Register-PSResourceRepository -Name $repository -Uri $feed -Trusted
    New-Item $installed -ItemType Directory | Out-Null
    Save-PSResource -Name DhtPs -Repository $repository -Path $installed -TrustRepository
}
AfterAll {
    Unregister-PSResourceRepository -Name $repository -ErrorAction Ignore
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'The DhtPs package' {
    It 'installs the manifest, the dlls, the format views and the help, and no debug symbols' {
        $base = Get-ChildItem $installed -Directory -Filter DhtPs | Get-ChildItem -Directory | Select-Object -First 1
        foreach ($file in 'DhtPs.psd1', 'LICENSE', 'CHANGELOG.md', 'module/bin/DhtPs.dll', 'module/bin/DhtPs.Core.dll', 'module/DhtPs.Format.ps1xml', 'en-US/DhtPs.dll-Help.xml', 'en-US/about_DhtPs.help.txt') {
            Join-Path $base.FullName $file | Should -Exist
        }
        Get-ChildItem $base.FullName -Recurse -Filter *.pdb | Should -BeNullOrEmpty
    }

    It 'imports in a fresh pwsh from where it was installed, runs a peer and finds its help' {
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $script = "Import-Module '$(Join-Path $installed 'DhtPs')'; " +
            '$p = Start-DhtPeer -Id 3 -Port 0; $p.State; Stop-DhtPeer -Id 3 -Abrupt -Confirm:$false; ' +
            '(Get-Help Start-DhtPeer).Synopsis; (Get-Module DhtPs).ModuleBase'
        $output = & $pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $output[0] | Should -Be 'Running'
        $output[1] | Should -Not -BeNullOrEmpty
        $output[1] | Should -Not -Match 'Start-DhtPeer \[' # real help, not syntax generated from the cmdlet
        $output[2] | Should -BeLike "$installed*"
    }

    It 'runs a test ring of processes from where it was installed, with the Should operators' {
        $base = Get-ChildItem $installed -Directory -Filter DhtPs | Get-ChildItem -Directory | Select-Object -First 1
        foreach ($file in 'module/DhtPs.Pester.psm1', 'module/DhtTestPeer.ps1', 'en-US/about_DhtPs_Testing.help.txt') {
            Join-Path $base.FullName $file | Should -Exist
        }
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $script = "Import-Module '$((Get-Module Pester).Path)'; Import-Module '$(Join-Path $installed 'DhtPs')'; " +
            '$ring = New-DhtTestRing -Count 2 -Process; try { $ring | Should -BeDhtRing 64, 192; $ring.Members.ProcessId.Count } finally { Remove-DhtTestRing }'
        $output = & $pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Be 2
    }
}
