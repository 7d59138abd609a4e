<#
.SYNOPSIS
    Starts the original ring 2, 4, 5, 8, 9, 14, 19 as seven pwsh processes running examples/p2p.ps1
    (init PEER FIRST SECOND INTERVAL), or stops them all with -Stop.
.DESCRIPTION
    With tmux, each peer runs in a window of the tmux session 'dhtps' (tmux attach -t dhtps; type Quit, Ring,
    Help there). Without tmux, each runs in the background with its output in a log folder (on Windows, in a
    hidden window), and its process id recorded there for -Stop. Ports are 12000 + id unless -BasePort says otherwise.
.EXAMPLE
    ./start-ring.ps1 -PingInterval 5
.EXAMPLE
    ./start-ring.ps1 -Stop
#>
[CmdletBinding()]
param(
    [double] $PingInterval = 30,
    [ValidateRange(1, 65535)]
    [int] $BasePort = 12000,
    [string] $LogFolder = (Join-Path ([System.IO.Path]::GetTempPath()) 'dhtps-ring'),
    [switch] $NoTmux,
    [switch] $Stop
)
$ErrorActionPreference = 'Stop'
$session = 'dhtps'
$ids = 2, 4, 5, 8, 9, 14, 19
$useTmux = -not $NoTmux -and (Get-Command tmux -ErrorAction Ignore)
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$p2p = Join-Path $PSScriptRoot 'p2p.ps1'
$pidFile = Join-Path $LogFolder 'pids.txt'

if ($Stop) {
    if ($useTmux) { tmux kill-session -t $session 2>$null }
    if (Test-Path $pidFile) {
        foreach ($id in Get-Content $pidFile) { Stop-Process -Id $id -Force -ErrorAction Ignore }
        Remove-Item $pidFile
    }
    Write-Host 'The ring''s peer processes are stopped.'
    return
}

New-Item $LogFolder -ItemType Directory -Force | Out-Null
for ($i = 0; $i -lt $ids.Count; $i++) {
    $arguments = @('-NoProfile', '-File', $p2p, 'init', $ids[$i], $ids[($i + 1) % 7], $ids[($i + 2) % 7], $PingInterval, '-BasePort', $BasePort)
    if ($useTmux) {
        $command = (@($pwsh) + $arguments | ForEach-Object { "'$_'" }) -join ' '
        if ($i -eq 0) { tmux new-session -d -s $session -n "peer$($ids[$i])" $command }
        else { tmux new-window -d -t $session -n "peer$($ids[$i])" $command }
        if ($LASTEXITCODE -ne 0) { throw "tmux could not start peer $($ids[$i])." }
    } else {
        # stdin is empty, so each console just shows its events until -Stop. The shell hands the log files
        # to the peer itself (Start-Process would copy its output only while this script runs).
        $log = Join-Path $LogFolder "peer$($ids[$i])"
        $command = ((@($pwsh, '-NonInteractive') + $arguments | ForEach-Object { "'$_'" }) -join ' ') + " < /dev/null > '$log.log' 2> '$log.err.log'"
        $process = $IsWindows ? (Start-Process $pwsh -ArgumentList (@('-NonInteractive') + $arguments) -PassThru -WindowStyle Hidden) :
            [System.Diagnostics.Process]::Start('/bin/sh', [string[]]@('-c', "exec $command"))
        Add-Content $pidFile $process.Id
    }
}
if ($useTmux) {
    Write-Host "Started peers $($ids -join ', ') in tmux session '$session': tmux attach -t $session (Ctrl-b n for the next peer)."
} else {
    Write-Host "Started peers $($ids -join ', ') in the background; their output is in $LogFolder."
}
Write-Host 'Stop them all with: ./start-ring.ps1 -Stop'
