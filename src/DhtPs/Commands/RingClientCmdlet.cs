using System.Management.Automation;
using System.Security;
using DhtPs.Core.Client;
using DhtPs.Core.Protocol;
using DhtPs.Core.Protocol.Authentication;
using DhtPs.Core.Ring;

namespace DhtPs.Commands;

/// <summary>
/// What the commands that may reach a ring elsewhere as a client share (the file commands and the ring walks): its
/// secret, and the entry a -Via names, which speaks that ring's wire when it is no peer of this session.
/// </summary>
public abstract class RingClientCmdlet : DhtCmdlet
{
    /// <summary>The ring's secret, for a ring elsewhere reached as a client (a peer of this session already has its own).</summary>
    [Parameter]
    public SecureString? Secret { get; set; }

    /// <summary>A file holding the ring's secret (its bytes, without a final line break), for a ring elsewhere reached as a client.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SecretFile { get; set; }

    /// <summary>Where <paramref name="via"/> enters the ring (see <see cref="DhtCmdlet.RingEntry"/>), with the ring's secret; null after writing an error record.</summary>
    protected IRingEntry? ClientRingEntry(PeerAddress? via, int idBits = IdSpace.DefaultBits) =>
        TryReadRingSecret(Secret, SecretFile, via, out var secret)
            ? RingEntry(via, idBits, secret is null ? WireCodec.Open : new AuthenticatedWireCodec(secret))
            : null;
}
