<#
.SYNOPSIS
    The original program's command line: starts one peer in this process and enters its console.
.DESCRIPTION
    p2p.ps1 init <PEER> <FIRST_SUCCESSOR> <SECOND_SUCCESSOR> <PING_INTERVAL>
    p2p.ps1 join <PEER> <KNOWN_PEER> <PING_INTERVAL>

    Peers listen on 127.0.0.1, port BasePort + id (12000 + id as in the original). A successor or known peer
    is a bare id (127.0.0.1:BasePort+id) or id@host:port. The console prints the peer's events and reads
    Store <name>, Request <name>, Ring, Help and Quit from standard input; files are read from and
    received into the current directory. The script ends when the peer stops (Quit, or Ctrl+C).
    Requests are routed as the original routed them, first successor after first successor (-Routing Successor).
.PARAMETER BasePort
    Port of peer 0; peer n listens on BasePort + n. Default: $env:DHTPS_BASE_PORT, else 12000.
.PARAMETER Port
    This peer's own port, instead of BasePort + id (0 picks a free one).
.EXAMPLE
    ./p2p.ps1 init 2 4 5 30
.EXAMPLE
    ./p2p.ps1 join 15 4 30
#>
param(
    [Parameter(Mandatory, Position = 0)]
    [ValidateSet('init', 'join')]
    [string] $Mode,

    [Parameter(Mandatory, Position = 1, ValueFromRemainingArguments)]
    [string[]] $Arguments,

    [ValidateRange(1, 65535)]
    [int] $BasePort = ($env:DHTPS_BASE_PORT ? [int]$env:DHTPS_BASE_PORT : 12000),

    [ValidateRange(0, 65535)]
    [int] $Port = -1
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../DhtPs.psd1')

$usage = 'usage: p2p.ps1 init <PEER> <FIRST_SUCCESSOR> <SECOND_SUCCESSOR> <PING_INTERVAL> | join <PEER> <KNOWN_PEER> <PING_INTERVAL>'
$expected = @{ init = 4; join = 3 }[$Mode]
if ($Arguments.Count -ne $expected) {
    Write-Error -Message $usage -Category InvalidArgument -ErrorId P2pUsage
    exit 2
}

# A bare id names 127.0.0.1:BasePort+id; anything else (id@host:port) is passed on as it is.
function ConvertTo-Contact([string] $Peer) {
    if ($Peer -match '^\d+$') { "$Peer@127.0.0.1:$($BasePort + [int]$Peer)" } else { $Peer }
}

$id = [ulong]$Arguments[0]
$start = @{
    Id           = $id
    Port         = $Port -ge 0 ? $Port : $BasePort + $id
    PingInterval = [double]$Arguments[-1]
    # The original program's route, first successor after first successor, with exactly its texts (SPEC 9a).
    Routing      = 'Successor'
    # The original program's one copy per file and two successors, so every text is the original's (pings name two peers).
    ReplicationFactor = 1
}
if ($Mode -eq 'init') {
    $start.FirstSuccessor = ConvertTo-Contact $Arguments[1]
    $start.SecondSuccessor = ConvertTo-Contact $Arguments[2]
} else {
    $start.KnownPeer = ConvertTo-Contact $Arguments[1]
}

$peer = Start-DhtPeer @start -ErrorAction SilentlyContinue -ErrorVariable failed
if (-not $peer) {
    [Console]::Error.WriteLine("Peer $id could not start: $($failed.Exception.Message)")
    exit 1
}
# The whole backlog: the console prints what the peer said since it started, as the original program did.
Enter-DhtPeer -Id $id -Backlog 1000
