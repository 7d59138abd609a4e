namespace DhtPs.Testing;

/// <summary>Where a test ring finds what it runs its peer processes with: pwsh, the module's manifest and the peer script.</summary>
internal sealed record TestRingHost(string PwshPath, string ManifestPath, string PeerScriptPath)
{
    public static TestRingHost Of(string psHome, string moduleBase) => new(
        Path.Combine(psHome, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh"),
        Path.Combine(moduleBase, "DhtPs.psd1"),
        Path.Combine(moduleBase, "module", "DhtTestPeer.ps1"));
}
