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
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    public void Dispose()
    {
        Invoke("Get-DhtPeer | Stop-DhtPeer -Abrupt -Confirm:$false");
        _runspace.Dispose();
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
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -FirstSuccessor 'nowhere'", "InvalidDhtPeerOptions")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -FirstSuccessor '127.0.0.1:5'", "InvalidDhtPeerOptions")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -Address localhost", "InvalidDhtPeerOptions")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 -SecondSuccessor 5", "InvalidDhtPeerOptions")]
    [InlineData("Stop-DhtPeer -Id 123 -Confirm:$false", "DhtPeerNotFound")]
    [InlineData("Join-DhtRing -Id 123 -KnownPeer 4", "DhtPeerNotFound")]
    [InlineData("Start-DhtPeer -Id 3 -Port 0 | Join-DhtRing -KnownPeer 'x@y'", "InvalidDhtKnownPeer")]
    [InlineData("Get-DhtRing", "DhtRingStartUnknown")]
    [InlineData("Get-DhtRing -Via 'no:where'", "InvalidDhtRingStart")]
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
}
