using System.Text.Json.Serialization;

namespace DhtPs.Core.Protocol;

/// <summary>Source-generated JSON for message payloads: no reflection, trimming-safe.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(Message))]
internal sealed partial class MessageJsonContext : JsonSerializerContext;
