using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DhtPs.Commands;
using DhtPs.Core.Peer;

namespace DhtPs.Tests.Unit.Commands;

/// <summary>The cmdlets inside a real PowerShell engine hosted in-process (core cmdlets only).</summary>
public sealed class HostedCmdletTests : IDisposable
{
    private readonly Runspace _runspace;

    public HostedCmdletTests()
    {
        var state = InitialSessionState.CreateDefault2();
        state.Commands.Add(new SessionStateCmdletEntry("Start-DhtPeer", typeof(StartDhtPeerCommand), null));
        state.Commands.Add(new SessionStateCmdletEntry("Get-DhtPeer", typeof(GetDhtPeerCommand), null));
        state.Commands.Add(new SessionStateCmdletEntry("Stop-DhtPeer", typeof(StopDhtPeerCommand), null));
        state.Commands.Add(new SessionStateCmdletEntry("Join-DhtRing", typeof(JoinDhtRingCommand), null));
        state.Commands.Add(new SessionStateCmdletEntry("Get-DhtRing", typeof(GetDhtRingCommand), null));
        state.Commands.Add(new SessionStateCmdletEntry("Save-DhtFile", typeof(SaveDhtFileCommand), null));
        state.Commands.Add(new SessionStateCmdletEntry("Get-DhtFile", typeof(GetDhtFileCommand), null));
        state.Commands.Add(new SessionStateCmdletEntry("Resolve-DhtKey", typeof(ResolveDhtKeyCommand), null));
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    public void Dispose()
    {
        Invoke("Get-DhtPeer | Stop-DhtPeer -Abrupt -Confirm:$false");
        _runspace.Dispose();
        _data.Dispose();
    }

    private (PSObject[] Output, ErrorRecord[] Errors) Invoke(string script)
    {
        using var shell = PowerShell.Create(_runspace);
        var output = shell.AddScript(script).Invoke().ToArray();
        return (output, shell.Streams.Error.ToArray());
    }

    [Fact]
    public void Start_returns_a_running_peer_that_Get_and_Stop_find_through_the_pipeline()
    {
        var (started, errors) = Invoke("Start-DhtPeer -Id 77 -Port 0 -PingInterval 0.5");
        Assert.Empty(errors);
        var peer = Assert.IsType<DhtPeer>(Assert.Single(started).BaseObject);
        Assert.Equal(PeerStatus.Running, peer.State);

        var (listed, _) = Invoke("Get-DhtPeer -Id 77");
        Assert.Equal(77UL, Assert.IsType<DhtPeer>(Assert.Single(listed).BaseObject).Id);

        Invoke("Get-DhtPeer -Id 77 | Stop-DhtPeer -Confirm:$false");
        var (after, notFound) = Invoke("Get-DhtPeer -Id 77");
        Assert.Empty(after);
        Assert.Equal("DhtPeerNotFound,DhtPs.Commands.GetDhtPeerCommand", Assert.Single(notFound).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("Start-DhtPeer -Id 300 -Port 0", "InvalidDhtPeerOptions")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -FirstSuccessor 'nowhere'", "CannotConvertArgumentNoMessage")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -FirstSuccessor '127.0.0.1:5'", "InvalidDhtPeerOptions")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -Address localhost", "InvalidDhtPeerOptions")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -SecondSuccessor 5", "InvalidDhtPeerOptions")]
    [InlineData("Stop-DhtPeer -Id 123 -Confirm:$false", "DhtPeerNotFound")]
    [InlineData("Join-DhtRing -Id 123 -KnownPeer 4", "DhtPeerNotFound")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 | Join-DhtRing -KnownPeer 'x@y'", "CannotConvertArgumentNoMessage")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 | Join-DhtRing -KnownPeer 'no-such-host.invalid:4000'", "DhtPeerAddressUnresolved")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -Address 0.0.0.0", "InvalidDhtPeerOptions")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -AdvertiseAddress 0.0.0.0", "InvalidDhtPeerOptions")]
    [InlineData("$DhtPsDefaultBasePort = 'x'; Start-DhtPeer -Id 3", "InvalidDhtPsDefaultBasePort")]
    [InlineData("Get-DhtRing", "DhtRingStartUnknown")]
    [InlineData("Get-DhtRing -Via 'no:where'", "CannotConvertArgumentNoMessage")]
    public void Bad_input_is_an_error_record_with_an_error_id(string script, string errorId)
    {
        var (_, errors) = Invoke(script);
        var error = Assert.Single(errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.NotEqual(ErrorCategory.NotSpecified, error.CategoryInfo.Category);
    }

    [Fact]
    public async Task Get_DhtRing_walks_a_ring_this_session_does_not_run()
    {
        await using var elsewhere = await PeerNode.StartAsync(new PeerOptions { Id = 42, Port = 0, PingInterval = TimeSpan.FromMinutes(1) });
        var (members, errors) = Invoke($"Get-DhtRing -Via '{elsewhere.Contact}'");
        Assert.Empty(errors);
        var member = Assert.IsType<DhtRingMember>(Assert.Single(members).BaseObject);
        Assert.Equal(42UL, member.Id);
        Assert.Equal(elsewhere.Contact.ToEndPoint(), member.EndPoint);
    }

    [Fact]
    public void A_peer_address_that_does_not_parse_says_why()
    {
        var (_, errors) = Invoke("Get-DhtRing -Via '::1:12004'");
        Assert.Contains("IPv6 host in brackets", Assert.Single(errors).Exception.Message);
    }

    [Fact]
    public void Via_takes_a_number_a_string_or_a_piped_peer_alike()
    {
        Invoke("Start-DhtPeer -Id 78 -Port 0 -PingInterval 60");
        foreach (var script in new[] { "Get-DhtRing -Via 78", "Get-DhtRing -Via '78'", "Get-DhtPeer -Id 78 | Get-DhtRing", "Get-DhtRing -Via ([ulong]78)" })
        {
            var (members, errors) = Invoke(script);
            Assert.Empty(errors);
            Assert.Equal(78UL, Assert.IsType<DhtRingMember>(Assert.Single(members).BaseObject).Id);
        }
    }

    [Fact]
    public void DhtPsDefaultBasePort_moves_the_port_of_bare_ids_and_of_new_peers()
    {
        var basePort = FreePort() - 6;
        var (started, errors) = Invoke($"$DhtPsDefaultBasePort = {basePort}; Start-DhtPeer -Id 6 -PingInterval 60");
        Assert.Empty(errors);
        Assert.Equal($"127.0.0.1:{basePort + 6}", Assert.IsType<DhtPeer>(Assert.Single(started).BaseObject).EndPoint.ToString());

        // Another session, no peer of its own: bare id 6 is the peer on base + 6 there too.
        using var other = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        other.Open();
        using var shell = PowerShell.Create(other);
        shell.AddCommand(new CmdletInfo("Get-DhtRing", typeof(GetDhtRingCommand))).AddParameter("Via", "6");
        other.SessionStateProxy.SetVariable("DhtPsDefaultBasePort", basePort);
        var walked = shell.Invoke();
        Assert.Empty(shell.Streams.Error);
        Assert.Equal(6UL, Assert.IsType<DhtRingMember>(Assert.Single(walked).BaseObject).Id);
    }

    [Fact]
    public async Task Files_and_lookups_go_through_a_peer_elsewhere_from_a_session_with_no_peer()
    {
        await using var entry = await PeerNode.StartAsync(new PeerOptions { Id = 40, Port = 0, PingInterval = TimeSpan.FromMinutes(1), DataPath = _data.Path + "/40" });
        using var work = new TempDirectory();
        var original = Path.Combine(work.Path, "2067");
        File.WriteAllBytes(original, TestContent.Random(70_000, seed: 5));
        var via = $"'{entry.Contact}'";

        var (stored, storeErrors) = Invoke($"Save-DhtFile -LiteralPath '{original}' -Via {via}");
        Assert.Empty(storeErrors);
        Assert.Equal(40UL, Assert.IsType<DhtFileInfo>(Assert.Single(stored).BaseObject).StoredAt);

        var (fetched, fetchErrors) = Invoke($"Get-DhtFile 2067 -Destination '{work.Path}' -Via {via}");
        Assert.Empty(fetchErrors);
        var copy = Assert.IsType<DhtFileInfo>(Assert.Single(fetched).BaseObject);
        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(copy.Path!));

        var (owners, lookupErrors) = Invoke($"Resolve-DhtKey 2067 -Via {via}");
        Assert.Empty(lookupErrors);
        Assert.Equal(40UL, Assert.IsType<DhtKeyOwner>(Assert.Single(owners).BaseObject).Owner);

        var (_, missing) = Invoke($"Get-DhtFile 4103 -Destination '{work.Path}' -Via {via}");
        Assert.StartsWith("DhtFileNotFound,", Assert.Single(missing).FullyQualifiedErrorId);
    }

    private readonly TempDirectory _data = new();

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
