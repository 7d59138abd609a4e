using System.Text.Json.Serialization;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Protocol;

/// <summary>The reply to a request that needs no answer beyond "received and handled".</summary>
public sealed record Acknowledgement : Message
{
    /// <summary>
    /// The reply that ends a store's upload: how many peers (the owner among them) hold the file durably. Left out (0)
    /// everywhere else, so every other acknowledgement is unchanged on the wire.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Copies { get; init; }

    /// <summary>With <see cref="Copies"/>: the version the owner gave the stored file.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public FileVersion Version { get; init; }
}
