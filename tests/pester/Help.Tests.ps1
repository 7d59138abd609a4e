# Every exported cmdlet has real help (en-US/DhtPs.dll-Help.xml), declares its output type,
# and asks before destroying things. Cmdlets are read from the module, so new ones are covered at once.

BeforeDiscovery {
    $manifestPath = Join-Path $PSScriptRoot '../../DhtPs.psd1'
    Import-Module $manifestPath -Force
    $script:cmdlets = @(Get-Command -Module DhtPs -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
            @{ Name = $_.Name; Verb = $_.Verb }
        })
    # Verbs whose cmdlets destroy or interrupt something: they must support -WhatIf and -Confirm.
    $script:destructiveVerbs = 'Clear', 'Disable', 'Dismount', 'Remove', 'Reset', 'Restart', 'Stop', 'Suspend',
        'Uninstall', 'Unpublish', 'Unregister'
}

BeforeAll {
    $manifestPath = Join-Path $PSScriptRoot '../../DhtPs.psd1'
    Import-Module $manifestPath -Force
    $script:commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    # What the cmdlet really declares for a parameter, when all its parameter sets agree (else $null).
    function Get-DeclaredValue([System.Management.Automation.ParameterMetadata] $Parameter, [scriptblock] $Select) {
        $values = @($Parameter.ParameterSets.Values | ForEach-Object $Select | Sort-Object -Unique)
        if ($values.Count -eq 1) { $values[0] } else { $null }
    }
}

Describe 'The module manifest' {
    It 'exports exactly the cmdlets it lists in CmdletsToExport' {
        $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../DhtPs.psd1')
        @(Get-Command -Module DhtPs -CommandType Cmdlet).Name | Sort-Object |
            Should -Be (@($manifest.CmdletsToExport) | Sort-Object)
    }

    It 'passes Test-ModuleManifest and requires the PowerShell the assemblies target' {
        $module = Test-ModuleManifest (Join-Path $PSScriptRoot '../../DhtPs.psd1') -ErrorAction Stop
        $module.PowerShellVersion | Should -Be ([version] '7.6')
        $module.ProjectUri | Should -Not -BeNullOrEmpty
        $module.LicenseUri | Should -Not -BeNullOrEmpty
        $module.ReleaseNotes | Should -Not -BeNullOrEmpty
        $module.HelpInfoUri | Should -BeLike '*about_DhtPs*'
    }

    It 'ships the LICENSE and CHANGELOG.md it points at' {
        Join-Path $PSScriptRoot '../../LICENSE' | Should -FileContentMatch 'MIT License'
        Join-Path $PSScriptRoot '../../CHANGELOG.md' | Should -FileContentMatch '## \[Unreleased\]'
    }

    It 'has at least one cmdlet to check' {
        @(Get-Command -Module DhtPs -CommandType Cmdlet).Count | Should -BeGreaterThan 0
    }
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    BeforeAll {
        $script:command = Get-Command $Name -Module DhtPs
        $script:help = Get-Help $Name -Full
        $script:declared = @($command.Parameters.Values | Where-Object Name -NotIn $commonParameters)
    }

    It 'comes from the MAML help file, not generated from the syntax' {
        # Without a help file Get-Help invents help whose synopsis is the syntax line.
        $help.Synopsis | Should -Not -Match ('^\s*' + [regex]::Escape($Name) + '\s')
        $help.ModuleName | Should -Be 'DhtPs'
    }

    It 'has a synopsis' {
        $help.Synopsis.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has a description' {
        ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code and remarks' {
        $examples = @($help.examples.example | Where-Object { "$($_.code)".Trim() })
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            ($example.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' should explain itself"
        }
    }

    It 'documents its inputs and outputs' {
        "$($help.inputTypes.inputType.type.name)".Trim() | Should -Not -BeNullOrEmpty
        "$($help.returnValues.returnValue.type.name)".Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has related links, about_DhtPs among them' {
        $help.relatedLinks.navigationLink.linkText | Should -Contain 'about_DhtPs'
    }

    It 'has an online version for Get-Help -Online: the about topic in the repository' {
        # Get-Help -Online opens the first related link that has a URI.
        $online = @($help.relatedLinks.navigationLink | Where-Object { "$($_.uri)" -match '^https://' })[0]
        $online.uri | Should -BeLike 'https://*/about_DhtPs.help.txt'
    }

    It 'describes every parameter it declares' {
        foreach ($parameter in $declared) {
            $parameterHelp = Get-Help $Name -Parameter $parameter.Name -ErrorAction SilentlyContinue
            $parameterHelp | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) is a parameter of $Name"
            ($parameterHelp.description.Text -join '').Trim() |
                Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) needs a description"
        }
    }

    It 'documents no parameter it does not have' {
        $documented = @($help.parameters.parameter.name | Where-Object { $_ })
        foreach ($name in $documented) {
            $command.Parameters.Keys | Should -Contain $name -Because "the help of $Name documents -$name"
        }
    }

    It 'states each parameter''s type, requirement, position and pipeline input as declared' {
        foreach ($parameter in $declared) {
            $parameterHelp = Get-Help $Name -Parameter $parameter.Name
            # A nullable parameter (ulong? Via) is documented as its underlying type (UInt64), not Nullable`1.
            $type = [Nullable]::GetUnderlyingType($parameter.ParameterType) ?? $parameter.ParameterType
            $parameterHelp.type.name | Should -Be $type.Name -Because "-$($parameter.Name) is a $($type.Name)"

            $required = Get-DeclaredValue $parameter { $_.IsMandatory }
            if ($null -ne $required) {
                [bool]::Parse($parameterHelp.required) | Should -Be $required -Because "-$($parameter.Name) mandatory is $required"
            }

            $position = Get-DeclaredValue $parameter { if ($_.Position -lt 0) { 'named' } else { "$($_.Position)" } }
            if ($null -ne $position) {
                $parameterHelp.position | Should -Be $position -Because "-$($parameter.Name) position is $position"
            }

            $byValue = Get-DeclaredValue $parameter { $_.ValueFromPipeline }
            $byName = Get-DeclaredValue $parameter { $_.ValueFromPipelineByPropertyName }
            if ($null -ne $byValue -and $null -ne $byName) {
                $pipelineInput = "$($parameterHelp.pipelineInput)"
                ($pipelineInput -match 'ByValue') | Should -Be $byValue -Because "-$($parameter.Name) ValueFromPipeline is $byValue"
                ($pipelineInput -match 'ByPropertyName') | Should -Be $byName -Because "-$($parameter.Name) ValueFromPipelineByPropertyName is $byName"
            }
        }
    }
}

Describe 'Cmdlet metadata of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $script:command = Get-Command $Name -Module DhtPs
    }

    It 'declares its output type' {
        $declaredTypes = @($command.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $true))
        $declaredTypes.Count | Should -BeGreaterThan 0
        @($command.OutputType).Count | Should -BeGreaterThan 0
    }

}

Describe 'ShouldProcess in <Name>, whose verb is destructive' -ForEach @($cmdlets | Where-Object { $_.Verb -in $destructiveVerbs }) {
    It 'supports -WhatIf and -Confirm' {
        $command = Get-Command $Name -Module DhtPs
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) |
            Select-Object -First 1
        $attribute.SupportsShouldProcess | Should -BeTrue
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'about_DhtPs' {
    It 'is found by Get-Help once the module is imported' {
        $about = Get-Help about_DhtPs
        $about | Should -Not -BeNullOrEmpty
        ($about | Out-String) | Should -Match 'TOPIC\s+about_DhtPs'
    }

    It 'names every cmdlet of the module' {
        $text = Get-Help about_DhtPs | Out-String
        foreach ($name in (Get-Command -Module DhtPs -CommandType Cmdlet).Name) {
            $text | Should -Match ([regex]::Escape($name))
        }
    }
}

Describe 'about_DhtPs_Testing' {
    It 'is found by Get-Help and names the testing cmdlets and every Should operator' {
        $text = Get-Help about_DhtPs_Testing | Out-String
        $text | Should -Match 'TOPIC\s+about_DhtPs_Testing'
        foreach ($name in 'New-DhtTestRing', 'Remove-DhtTestRing', 'Wait-DhtRing', 'Test-DhtRing', '-BeDhtRing', '-HaveDhtSuccessors', '-BeHealthyDhtRing', '-HoldDhtFile') {
            $text | Should -Match ([regex]::Escape($name))
        }
    }
}
