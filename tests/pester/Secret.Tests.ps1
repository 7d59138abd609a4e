BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    Stop-TestRing
    $script:secretFile = Join-Path ([IO.Path]::GetTempPath()) "dhtps-secret-$([guid]::NewGuid()).txt"
    Set-Content -Path $secretFile -Value 'the ring secret in a file, long enough'
    $script:same = ConvertTo-SecureString 'the ring secret in a file, long enough' -AsPlainText -Force
    $script:other = ConvertTo-SecureString 'another ring secret, long enough too' -AsPlainText -Force
}

AfterAll {
    Stop-TestRing
    Remove-Item $secretFile -ErrorAction Ignore
}

Describe 'A ring with a secret (issue 17)' {
    BeforeEach {
        $script:ports = Get-FreePort -Count 3
        Start-DhtPeer -Id 4 -Port $ports[0] -PingInterval 1 -SecretFile $secretFile | Out-Null
    }
    AfterEach {
        Stop-TestRing
    }

    It 'takes in a peer of the same secret, given as a SecureString, and shows the ring authenticated' {
        $joined = Start-DhtPeer -Id 9 -Port $ports[1] -KnownPeer "4@127.0.0.1:$($ports[0])" -PingInterval 1 -Secret $same
        $joined.State | Should -Be 'Running'
        $joined.Authenticated | Should -BeTrue
        Wait-Condition -Because 'peer 4 pings its new successor' -Condition { (Get-DhtPeer 4).Successors -join ',' -eq '9' }
        (Get-DhtPeer 4).AuthenticationFailures | Should -Be 0
    }

    It 'refuses a peer of another secret with DhtAuthenticationFailed, and leaves no peer behind' {
        $error.Clear()
        Start-DhtPeer -Id 9 -Port $ports[1] -KnownPeer "4@127.0.0.1:$($ports[0])" -Secret $other -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $error[0].FullyQualifiedErrorId | Should -Be 'DhtAuthenticationFailed,DhtPs.Commands.StartDhtPeerCommand'
        $error[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        Get-DhtPeer -Id 9 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Wait-Condition -Because 'peer 4 counted the refusal' -Condition { (Get-DhtPeer 4).AuthenticationFailures -eq 1 }
        Get-PeerEvent 4 | Where-Object Kind -EQ AuthenticationFailed | Should -Not -BeNullOrEmpty
    }

    It 'refuses a peer of the open ring with DhtAuthenticationFailed too' {
        $error.Clear()
        Start-DhtPeer -Id 9 -Port $ports[1] -KnownPeer "4@127.0.0.1:$($ports[0])" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $error[0].FullyQualifiedErrorId | Should -Be 'DhtAuthenticationFailed,DhtPs.Commands.StartDhtPeerCommand'
        $error[0].Exception.Message | Should -Match 'refused'
    }

    It 'refuses a secret that is too short, or given twice' {
        $error.Clear()
        Start-DhtPeer -Id 9 -Port $ports[1] -Secret (ConvertTo-SecureString 'short' -AsPlainText -Force) -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $error[0].FullyQualifiedErrorId | Should -Be 'InvalidDhtRingSecret,DhtPs.Commands.StartDhtPeerCommand'
        Start-DhtPeer -Id 9 -Port $ports[1] -Secret $same -SecretFile $secretFile -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $error[0].FullyQualifiedErrorId | Should -Be 'InvalidDhtRingSecret,DhtPs.Commands.StartDhtPeerCommand'
    }
}

Describe 'A client of a ring with a secret (a session that runs no peer)' {
    BeforeAll {
        $script:ports = Get-FreePort -Count 2
        Start-DhtPeer -Id 4 -Port $ports[0] -PingInterval 1 -SecretFile $secretFile | Out-Null
        Start-DhtPeer -Id 9 -Port $ports[1] -KnownPeer "4@127.0.0.1:$($ports[0])" -PingInterval 1 -Secret $same | Out-Null
        Wait-Condition -Because 'the ring of 4 and 9 closed' -Condition { (Get-DhtPeer 4).Successors -join ',' -eq '9' -and (Get-DhtPeer 9).Successors -join ',' -eq '4' }
    }
    AfterAll {
        Stop-TestRing
    }

    It 'walks, stores and fetches with -SecretFile, and without it fails with DhtAuthenticationFailed' {
        $file = Join-Path $TestDrive '2057'    # key 9
        [IO.File]::WriteAllBytes($file, [byte[]](1..77))
        $manifest = Join-Path $PSScriptRoot '../../DhtPs.psd1'
        # A pwsh of its own: with no peer in the session, -Via names a ring elsewhere and the cmdlets act as its client.
        $client = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
`$via = '4@127.0.0.1:$($ports[0])'
`$result = [ordered]@{}
`$result.Walk = (Get-DhtRing -Via `$via -SecretFile '$secretFile').Id -join ','
`$result.StoredAt = (Save-DhtFile '$file' -Via `$via -SecretFile '$secretFile').StoredAt
`$result.Sha256 = (Get-DhtFile 2057 -Via `$via -SecretFile '$secretFile' -Destination '$TestDrive/back').Sha256
Get-DhtRing -Via `$via -ErrorAction SilentlyContinue -ErrorVariable walkOpen | Out-Null
`$result.WalkOpen = `$walkOpen[0].FullyQualifiedErrorId
`$result.WalkOpenCategory = "`$(`$walkOpen[0].CategoryInfo.Category)"
Get-DhtFile 2057 -Via `$via -Destination '$TestDrive/open' -ErrorAction SilentlyContinue -ErrorVariable getOpen | Out-Null
`$result.GetOpen = `$getOpen[0].FullyQualifiedErrorId
`$result | ConvertTo-Json -Compress
"@
        $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $client 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join [Environment]::NewLine)
        $result = @($output)[-1] | ConvertFrom-Json

        $result.Walk | Should -Be '4,9'
        $result.StoredAt | Should -Be 9
        $result.Sha256 | Should -Be (Get-FileHash $file -Algorithm SHA256).Hash.ToLowerInvariant()
        $result.WalkOpen | Should -Be 'DhtAuthenticationFailed,DhtPs.Commands.GetDhtRingCommand'
        $result.WalkOpenCategory | Should -Be 'AuthenticationError'
        $result.GetOpen | Should -Be 'DhtAuthenticationFailed,DhtPs.Commands.GetDhtFileCommand'
        Test-Path (Join-Path $TestDrive 'open') | Should -BeFalse
    }
}

Describe 'An open ring beyond loopback' {
    AfterEach {
        Stop-TestRing
    }

    It 'warns that anyone who reaches the address can steer it' {
        $address = [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces() |
            ForEach-Object { $_.GetIPProperties().UnicastAddresses.Address } |
            Where-Object { $_ -and $_.AddressFamily -eq 'InterNetwork' -and -not [System.Net.IPAddress]::IsLoopback($_) } |
            Select-Object -First 1 | ForEach-Object ToString
        if (-not $address) { Set-ItResult -Skipped -Because 'this host has no IPv4 address beyond loopback'; return }
        Start-DhtPeer -Id 5 -Address $address -Port 0 -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
        $warned | Should -Match 'without a ring secret'
        Stop-TestRing
        Start-DhtPeer -Id 5 -Address $address -Port 0 -SecretFile $secretFile -WarningVariable quiet -WarningAction SilentlyContinue | Out-Null
        $quiet | Should -BeNullOrEmpty
    }
}
