using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Security;

/// <summary>Issue 17's smaller leaks: remote text reaching the user, local paths reaching the wire, non-unicast contacts.</summary>
public sealed class HygieneTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("Could not find a part of the path '/srv/dhtps/peer-4/.dhtps-x.partial'.", "Could not find a part of the path '.dhtps-x.partial'.")]
    [InlineData(@"Access to the path 'C:\Users\me\AppData\Local\DhtPs\peer-4\2012' is denied.", "Access to the path '2012' is denied.")]
    [InlineData("attempt 1/3 of 2012", "attempt 1/3 of 2012")]
    [InlineData("no path here", "no path here")]
    public void Reasons_sent_to_another_peer_keep_file_names_and_lose_local_directories(string reason, string sent) =>
        Assert.Equal(sent, RemoteText.WithoutLocalPaths(reason));

    [Fact]
    public async Task A_wrong_sha_names_the_file_not_where_it_lives()
    {
        var destination = Path.Combine(_temp.Path, "2012");
        await using var partial = PartialFile.Create(destination, 3, new string('0', 64));
        await partial.WriteAsync(new byte[] { 1, 2, 3 }, default);
        var error = await Assert.ThrowsAsync<FileContentMismatchException>(() => partial.CommitAsync(default));
        Assert.Contains("2012", error.Message);
        Assert.DoesNotContain(_temp.Path, error.Message);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("ff02::1")]
    [InlineData("1")]
    public void A_contact_must_be_one_unicast_address(string host)
    {
        Assert.False(new PeerContact(4, host, 12004).IsReachable(out var reason));
        Assert.NotEmpty(reason);
        var ping = new PingRequest { Sender = new PeerContact(4, host, 12004), IdBits = 8, Rank = 1 };
        Assert.NotNull(MessageValidator.Validate(ping, new IdSpace(8)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("10.0.0.2")]
    public void Loopback_and_ordinary_addresses_stay_allowed(string host) =>
        Assert.True(new PeerContact(4, host, 12004).IsReachable(out _));

    [Fact]
    public void A_peer_cannot_bind_the_unspecified_address_it_would_then_advertise() =>
        Assert.Throws<ArgumentException>(() => new PeerOptions { Id = 4, Address = IPAddress.Any.ToString() }.Validate());
}
