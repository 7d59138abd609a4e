namespace DhtPs.Core.Protocol;

/// <summary>
/// Who owns <see cref="RoutedRequest.Key"/>? Routed like every <see cref="RoutedRequest"/>; the owner answers the
/// origin with a <see cref="RouteAnswer"/> of outcome <see cref="RouteOutcome.Owner"/>.
/// </summary>
public sealed record LookupRequest : RoutedRequest;
