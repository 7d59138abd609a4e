using System.Net;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class PeerAddressTests
{
    [Fact]
    public async Task A_bare_id_takes_the_default_host_and_base_port_only_when_resolved()
    {
        var address = PeerAddress.Parse("4");
        Assert.True(address.IsBareId);
        Assert.Null(address.Port);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 12004), (await address.ResolveAsync()).EndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4004), (await address.ResolveAsync(basePort: 4000)).EndPoint);
        Assert.Equal(4UL, (await address.ResolveAsync()).Id);
    }

    [Fact]
    public async Task A_given_port_is_kept_whatever_the_base_port()
    {
        var located = await PeerAddress.Parse("19@10.231.0.5:4000").ResolveAsync(basePort: 30000);
        Assert.Equal(19UL, located.Id);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.231.0.5"), 4000), located.EndPoint);
    }

    [Fact]
    public async Task Host_and_port_leave_the_id_to_be_learned()
    {
        var located = await PeerAddress.Parse("127.0.0.1:40000").ResolveAsync();
        Assert.Null(located.Id);
        Assert.Equal(40000, located.EndPoint.Port);
    }

    [Theory]
    [InlineData("[::1]:12004", null)]
    [InlineData("7@[::1]:12004", 7UL)]
    [InlineData("[fd00::231:5]:12004", null)]
    public async Task IPv6_hosts_go_in_brackets(string text, ulong? id)
    {
        var address = PeerAddress.Parse(text);
        var located = await address.ResolveAsync();
        Assert.Equal(id, located.Id);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, located.EndPoint.Address.AddressFamily);
        Assert.Equal(12004, located.EndPoint.Port);
        Assert.Equal(text, address.ToString());
    }

    [Fact]
    public async Task A_host_name_is_looked_up_only_when_resolved()
    {
        var address = PeerAddress.Parse("19@localhost:40019");
        Assert.Equal("localhost", address.Host);
        Assert.False(address.TryGetEndPoint(12000, "127.0.0.1", out _));
        var located = await address.ResolveAsync();
        Assert.Equal(19UL, located.Id);
        Assert.True(IPAddress.IsLoopback(located.EndPoint.Address));
        Assert.Equal(40019, located.EndPoint.Port);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_says_so()
    {
        var address = PeerAddress.Parse("no-such-host.invalid:4000");
        var error = await Assert.ThrowsAsync<PeerAddressException>(() => address.ResolveAsync());
        Assert.Contains("no-such-host.invalid", error.Message);
        Assert.Same(address, error.Address);
    }

    [Fact]
    public async Task A_bare_id_past_the_last_port_needs_a_port_of_its_own()
    {
        var error = await Assert.ThrowsAsync<PeerAddressException>(() => PeerAddress.Parse("99999").ResolveAsync());
        Assert.Contains("id@host:port", error.Message);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 1099), (await PeerAddress.Parse("99").ResolveAsync(basePort: 1000)).EndPoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x@127.0.0.1:1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1:12004")]
    [InlineData("[nonsense]:12004")]
    [InlineData("bad host:4000")]
    [InlineData("-4")]
    public void Refuses_what_names_no_peer(string text)
    {
        Assert.False(PeerAddress.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<FormatException>(() => new PeerAddress(text));
    }
}
