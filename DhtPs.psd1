@{
    RootModule           = 'module/bin/DhtPs.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3f7e-6a53-4c1e-9d7e-2f1a8c3e4b61'
    Author               = 'DhtPs maintainers'
    CompanyName          = 'DhtPs'
    Copyright            = '(c) DhtPs maintainers. MIT License.'
    Description          = 'A peer-to-peer distributed hash table (Chord-style ring) for .NET: start peers, join rings, store and retrieve files, all from PowerShell.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/DhtPs.Format.ps1xml')
    # Pester assertions for rings, registered only when Pester is loaded (issue 16).
    NestedModules        = @('module/DhtPs.Pester.psm1')
    CmdletsToExport      = @(
        'Start-DhtPeer'
        'Get-DhtPeer'
        'Get-DhtStoredFile'
        'Stop-DhtPeer'
        'Join-DhtRing'
        'Get-DhtRing'
        'Save-DhtFile'
        'Get-DhtFile'
        'Remove-DhtFile'
        'Resolve-DhtKey'
        'Enter-DhtPeer'
        # Testing rings (issue 16)
        'Test-DhtRing'
        'Wait-DhtRing'
        'New-DhtTestRing'
        'Remove-DhtTestRing'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    HelpInfoURI          = 'https://github.com/dhtps/DhtPs/blob/main/en-US/about_DhtPs.help.txt'
    PrivateData          = @{
        PSData = @{
            Tags         = @('DHT', 'Chord', 'P2P', 'Networking', 'PSEdition_Core')
            LicenseUri   = 'https://github.com/dhtps/DhtPs/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/dhtps/DhtPs'
            ReleaseNotes = 'https://github.com/dhtps/DhtPs/blob/main/CHANGELOG.md'
        }
    }
}
