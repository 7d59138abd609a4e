using System.Net;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class PeerLocatorTests
{
    [Fact]
    public void A_bare_id_means_loopback_port_12000_plus_id()
    {
        var locator = PeerLocator.Parse("4");
        Assert.Equal(4UL, locator.Id);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 12004), locator.EndPoint);
    }

    [Fact]
    public void Host_and_port_leave_the_id_to_be_learned()
    {
        var locator = PeerLocator.Parse("127.0.0.1:40000");
        Assert.Null(locator.Id);
        Assert.Equal(40000, locator.EndPoint.Port);
    }

    [Fact]
    public void Id_at_host_port_names_both()
    {
        var locator = PeerLocator.Parse("19@localhost:40019");
        Assert.Equal(19UL, locator.Id);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 40019), locator.EndPoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x@127.0.0.1:1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("99999")]
    public void Refuses_what_names_no_peer(string text)
    {
        Assert.False(PeerLocator.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }
}
