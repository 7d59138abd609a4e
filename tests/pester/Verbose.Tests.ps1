# -Verbose and -Debug: the route, hops and timings of what a cmdlet does, from the peers' events (queued by the peers'
# threads, written on the pipeline thread), and pings to Debug only.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DhtPs.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DhtTestRing.psm1') -Force
    Stop-TestRing
    $script:root = Join-Path ([System.IO.Path]::GetTempPath()) "dhtps-verbose-$([guid]::NewGuid().ToString('N'))"
    $script:ids = [ulong[]](2, 9, 20)
    $null = New-DhtTestRing -Id $ids -PingInterval 0.5 -DataRoot $root -Routing Successor
    $script:local = New-Item -ItemType Directory (Join-Path $root 'local')

    # A file name whose key peer 20 owns, so that a store entering at 2 goes 2 -> 9 -> 20.
    $space = [DhtPs.Core.Ring.IdSpace]::new(8)
    $script:name = 1000..9999 | ForEach-Object { "$_" } |
        Where-Object { $key = [DhtPs.Core.Storage.FileKey]::Of($_, $space); $key -gt 9 -and $key -le 20 } | Select-Object -First 1
    Set-Content -LiteralPath (Join-Path $local $name) -Value 'routed twice'
}
AfterAll {
    Remove-DhtTestRing
    Stop-TestRing
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}

Describe 'Save-DhtFile -Verbose' {
    BeforeAll {
        $script:records = @(Save-DhtFile -LiteralPath (Join-Path $local $name) -Via 2 -Verbose 4>&1)
        $script:verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $script:stored = $records | Where-Object { $_ -is [DhtPs.Core.Peer.DhtFileInfo] }
    }

    It 'names the route, hop by hop, in order' {
        $stored.StoredAt | Should -Be 20
        $route = @($verbose | Where-Object { $_ -like "Peer *: Store $name request *" })
        $route | Should -Be "Peer 2: Store $name request forwarded to my successor",
            "Peer 9: Store $name request forwarded to my successor",
            "Peer 20: Store $name request accepted"
    }

    It 'says where the request entered and where it ended, with its hops and time' {
        $verbose[0] | Should -BeLike "Storing * as $name through Peer 2."
        $verbose[-1] | Should -Match "^Stored $name \(key \d+, \d+ bytes\) at Peer 20 after $($stored.Hops) hops? in \d+\.\d{3} s\.$"
    }

    It 'keeps pings out of Verbose' {
        $verbose | Where-Object { $_ -match 'Ping' } | Should -BeNullOrEmpty
    }
}

Describe 'Verbose and Debug on the other cmdlets' {
    It 'writes nothing extra without -Verbose' {
        @(Resolve-DhtKey -Name $name -Via 2 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
    }

    It 'Resolve-DhtKey -Verbose names the owner, the hops and the time' {
        $verbose = @(Resolve-DhtKey -Name $name -Via 2 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $verbose[-1].Message | Should -Match '^Key \d+ is owned by Peer 20@127\.0\.0\.1:\d+, found after \d+ hops? in \d+\.\d{3} s\.$'
    }

    It 'Get-DhtRing -Verbose says how many members it walked' {
        $verbose = @(Get-DhtRing -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $verbose[-1].Message | Should -Match '^Walked 3 members in \d+\.\d{3} s, back at the start\.$'
    }

    It 'Get-DhtFile -Verbose shows the owner serving the file' {
        $verbose = @(Get-DhtFile -Name $name -Via 2 -Destination (Join-Path $local 'copy') -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $verbose | Should -Contain "Peer 20: File $name is stored here"
        $verbose[-1] | Should -Match "^Fetched $name \(key \d+, \d+ bytes\) at Peer 20 after \d+ hops? in \d+\.\d{3} s\.$"
    }

    It 'follows $VerbosePreference where it was called, as the engine does' {
        $VerbosePreference = 'Continue'
        $verbose = @(Get-DhtFile -Name $name -Via 2 -Destination (Join-Path $local 'by-preference') 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $verbose | Should -Contain "Peer 20: File $name is stored here"
        $quiet = @(Get-DhtFile -Name $name -Via 2 -Destination (Join-Path $local 'by-preference-off') -Verbose:$false 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $quiet | Should -BeNullOrEmpty
    }

    It 'traces for an advanced function of a script module called with -Verbose' {
        $module = New-Module -Name DhtVerboseCaller -ScriptBlock {
            function Copy-FromRing { [CmdletBinding()] param($Name, $Via, $Destination) Get-DhtFile -Name $Name -Via $Via -Destination $Destination }
        } | Import-Module -PassThru
        try {
            $verbose = @(Copy-FromRing -Name $name -Via 2 -Destination (Join-Path $local 'by-function') -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $verbose | Should -Contain "Peer 20: File $name is stored here"
        } finally {
            Remove-Module $module
        }
    }

    It 'writes the pings that happen meanwhile to Debug, never to Verbose' {
        # A walk from a listener that never answers waits out its timeout, long enough for a ping round (0.5 s).
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            $DebugPreference = 'Continue'
            $records = @(Get-DhtRing -Via "127.0.0.1:$($silent.LocalEndpoint.Port)" -Timeout 1.5 -ErrorAction SilentlyContinue -Verbose 5>&1 4>&1)
        } finally {
            $silent.Stop()
        }
        $records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match ': Ping' } | Should -Not -BeNullOrEmpty
        $records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'Ping' } | Should -BeNullOrEmpty
    }
}
