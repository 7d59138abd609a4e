# Pester assertions for DhtPs rings: Should -BeDhtRing, -HaveDhtSuccessors, -BeHealthyDhtRing and -HoldDhtFile.
# Registered only when Pester is loaded, so DhtPs does not depend on Pester; the comparisons themselves are
# DhtPs.Core.Diagnostics (RingComparison, RingExpectation, FileHolding), this file only maps them to Pester.

function Get-DhtRingReportOf {
    # The ring an assertion is about, as a Test-DhtRing report: from a test ring, a report, Get-DhtRing's members or a -Via.
    param($ActualValue)
    $items = @($ActualValue)
    if ($items.Count -eq 1 -and $items[0] -is [DhtPs.Core.Diagnostics.DhtRingReport]) { return $items[0] }
    if ($items.Count -eq 1 -and $items[0] -is [DhtPs.Testing.DhtTestRing]) {
        $ring = $items[0]
        if (-not $ring.Via) { throw "No member of $ring runs." }
        return Test-DhtRing -Via $ring.Via -IdBits $ring.IdBits
    }
    if ($items.Count -gt 0 -and @($items | Where-Object { $_ -isnot [DhtPs.Core.Peer.DhtRingMember] }).Count -eq 0) {
        $walk = [DhtPs.Core.Peer.RingWalk]::new([DhtPs.Core.Peer.DhtRingMember[]]$items, $true, $null)
        return [DhtPs.Core.Diagnostics.RingHealthCheck]::Inspect($walk, "$($items[0].Id)", [DateTimeOffset]::Now)
    }
    if ($items.Count -eq 1 -and ($items[0] -is [string] -or $items[0] -is [ValueType])) { return Test-DhtRing -Via "$($items[0])" }
    throw "Expected a DhtTestRing, a Test-DhtRing report, Get-DhtRing output or a peer to walk from, but got $(if ($null -eq $ActualValue) { 'nothing' } else { $items[0].GetType().FullName })."
}

function Get-BecauseText([string] $Because) { if ($Because) { " because $($Because.Trim())," } else { '' } }

function Test-DhtRingShape($ActualValue, [ulong[]] $ExpectedValue, [switch] $Negate, [string] $Because) {
    <# Should -BeDhtRing 2,4,5,8: the ring walked has exactly these members, in identifier order, each listing the next and previous ones. #>
    $expectation = [DhtPs.Core.Diagnostics.RingExpectation]::OfMembers($ExpectedValue)
    $comparison = $expectation.Evaluate((Get-DhtRingReportOf $ActualValue))
    $succeeded = $comparison.Matches -xor [bool]$Negate
    $message = if ($succeeded) { $null }
    elseif ($Negate) { "Expected the ring not to be $($expectation.Description -replace '^the ring ')$(Get-BecauseText $Because) but it is." }
    else { "Expected $($expectation.Description),$(Get-BecauseText $Because) but the ring differs, peer by peer:`n$($comparison.SideBySide())" }
    [pscustomobject]@{ Succeeded = $succeeded; FailureMessage = $message }
}

function Test-DhtSuccessors($ActualValue, [ulong[]] $ExpectedValue, [switch] $Negate, [string] $Because) {
    <# Should -HaveDhtSuccessors 4,5: a peer (Get-DhtPeer, Get-DhtRing member, test ring member or id) lists exactly these successors, in order. #>
    $peer = switch ($ActualValue) {
        { $_ -is [DhtPs.Core.Peer.DhtPeer] -or $_ -is [DhtPs.Core.Peer.DhtRingMember] } { $_; break }
        { $_ -is [DhtPs.Testing.DhtTestRingMember] } { (Get-DhtRing -Via $_.Contact -ErrorAction SilentlyContinue | Select-Object -First 1); break }
        { $_ -is [ValueType] } { Get-DhtPeer -Id $_ -ErrorAction SilentlyContinue; break }
    }
    if (-not $peer) {
        return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected a peer with successors $($ExpectedValue -join ', '),$(Get-BecauseText $Because) but '$ActualValue' is no running peer." }
    }
    $difference = [DhtPs.Core.Diagnostics.RingComparison]::DescribeSuccessors($peer.Id, [ulong[]]@($peer.Successors), $ExpectedValue)
    $succeeded = ($null -eq $difference) -xor [bool]$Negate
    $message = if ($succeeded) { $null }
    elseif ($Negate) { "Expected peer $($peer.Id) not to have successors $($ExpectedValue -join ', '),$(Get-BecauseText $Because) but it has." }
    else { "Expected peer $($peer.Id) to have successors $($ExpectedValue -join ', '),$(Get-BecauseText $Because) but $difference." }
    [pscustomobject]@{ Succeeded = $succeeded; FailureMessage = $message }
}

function Test-DhtRingHealth($ActualValue, [switch] $Negate, [string] $Because) {
    <# Should -BeHealthyDhtRing: Test-DhtRing finds no problem. #>
    $report = Get-DhtRingReportOf $ActualValue
    $comparison = [DhtPs.Core.Diagnostics.RingExpectation]::Healthy.Evaluate($report)
    $succeeded = $report.IsHealthy -xor [bool]$Negate
    $message = if ($succeeded) { $null }
    elseif ($Negate) { "Expected an unhealthy ring,$(Get-BecauseText $Because) but Test-DhtRing found no problem in $($report.MemberIds -join ', ')." }
    else { "Expected a healthy ring,$(Get-BecauseText $Because) but Test-DhtRing found $($report.Problems.Count) problem(s), peer by peer:`n$($comparison.SideBySide())" }
    [pscustomobject]@{ Succeeded = $succeeded; FailureMessage = $message }
}

function Test-DhtFileHeld($ActualValue, [string] $ExpectedValue, [switch] $Negate, [string] $Because) {
    <# Should -HoldDhtFile name: the owner of the file's key, among the running members of a test ring, holds it in its data folder. #>
    if ($ActualValue -isnot [DhtPs.Testing.DhtTestRing]) {
        return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Should -HoldDhtFile takes a test ring (New-DhtTestRing), not $(if ($null -eq $ActualValue) { 'nothing' } else { $ActualValue.GetType().FullName })." }
    }
    $holding = $ActualValue.CheckFile($ExpectedValue)
    $succeeded = $holding.Matches -xor [bool]$Negate
    $message = if ($succeeded) { $null }
    elseif ($Negate) { "Expected the ring not to hold file $ExpectedValue,$(Get-BecauseText $Because) but it does:`n$($holding.Describe())" }
    else { "Expected the ring to hold file $ExpectedValue at its owner,$(Get-BecauseText $Because) but it does not:`n$($holding.Describe())" }
    [pscustomobject]@{ Succeeded = $succeeded; FailureMessage = $message }
}

# A second copy of DhtPs imported into the same Pester session keeps the first copy's operators.
if ((Get-Command Add-ShouldOperator -Module Pester -ErrorAction Ignore) -and -not (Pester\Get-ShouldOperator | Where-Object Name -EQ BeDhtRing)) {
    Add-ShouldOperator -Name BeDhtRing -InternalName Test-DhtRingShape -Test ${function:Test-DhtRingShape} -SupportsArrayInput
    Add-ShouldOperator -Name HaveDhtSuccessors -InternalName Test-DhtSuccessors -Test ${function:Test-DhtSuccessors}
    Add-ShouldOperator -Name BeHealthyDhtRing -InternalName Test-DhtRingHealth -Test ${function:Test-DhtRingHealth} -SupportsArrayInput
    Add-ShouldOperator -Name HoldDhtFile -InternalName Test-DhtFileHeld -Test ${function:Test-DhtFileHeld}
}

Export-ModuleMember -Function @()
