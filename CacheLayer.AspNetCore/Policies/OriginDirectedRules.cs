using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Pipeline.OriginDirected;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Policies;

/// <summary>
/// RFC 9111 for a shared cache: whether an origin's response may be stored (§3), how long it is fresh (§4.2.1:
/// <c>s-maxage</c>, then <c>max-age</c>, then <c>Expires</c> minus <c>Date</c>; heuristics only when configured),
/// and how old it is (§4.2.3, the origin's <c>Age</c> included).
/// </summary>
internal sealed class OriginDirectedRules(IOptions<CacheLayerOptions> options)
{
    // Statuses a cache may store without explicit freshness (RFC 9110 §15.1), partial content aside.
    private static readonly HashSet<int> HeuristicallyCacheable = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501];

    private readonly CacheLayerOriginDirectedOptions _settings = options.Value.OriginDirected;

    public bool ActAsCdn => _settings.ActAsCdn;

    /// <summary>How long past its freshness a response stays to be revalidated or served stale (0: not kept).</summary>
    public TimeSpan KeptStale(StoredHttpResponse stored)
    {
        var kept = stored.HasValidator ? _settings.KeepStale : TimeSpan.Zero;
        if (!stored.MustRevalidate)
        {
            kept = Max(kept, Min(stored.StaleWhileRevalidate, _settings.KeepStale));
            kept = Max(kept, Min(stored.StaleIfError, _settings.KeepStale));
        }
        return stored.MayServeStale ? Max(kept, Unreachable) : kept;
    }

    /// <summary>
    /// How long past its freshness a response may answer while the origin cannot be reached (RFC 9111 §4.2.4: a
    /// disconnected cache): <see cref="CacheLayerOptions.Grace"/>, at most <see cref="CacheLayerOriginDirectedOptions.KeepStale"/>.
    /// </summary>
    public TimeSpan Unreachable { get; } = Min(options.Value.Grace, options.Value.OriginDirected.KeepStale);

    /// <summary>Whether the origin's answer means it could not be reached: a proxy's 502 or 504.</summary>
    public static bool IsUnreachable(int status) => status is StatusCodes.Status502BadGateway or StatusCodes.Status504GatewayTimeout;

    /// <summary>Why a response may not be stored; null when it may.</summary>
    public string? WhyNotStored(HttpRequest request, int status, IHeaderDictionary headers, StoredHttpResponse stored, TimeSpan? lifetime)
    {
        var directives = stored.Directives;
        if (status is < 200 or StatusCodes.Status206PartialContent or StatusCodes.Status304NotModified)
        {
            return "status";
        }
        if (directives.Has("no-store") || CacheControlDirectives.Parse(request.Headers.CacheControl).Has("no-store"))
        {
            return "no-store";
        }
        if (directives.Has("private"))
        {
            return "private";
        }
        if (headers.SetCookie.Count > 0)
        {
            return "set-cookie";
        }
        if (VaryFields.Names(headers.Vary) is ["*"])
        {
            return "vary";
        }
        if (request.Headers.Authorization.Count > 0 && !stored.SharedDespiteAuthorization)
        {
            return "authorization";
        }
        var explicitlyFresh = lifetime is not null || directives.Has("public");
        if (!explicitlyFresh && !(HeuristicallyCacheable.Contains(status) && stored.HasValidator))
        {
            return "no-freshness";
        }
        if (lifetime is not { } fresh || fresh <= TimeSpan.Zero || stored.NoCache)
        {
            // Stale from the start: worth keeping only to revalidate.
            return stored.HasValidator || (!stored.MustRevalidate && KeptStale(stored) > TimeSpan.Zero) ? null : "no-freshness";
        }
        return null;
    }

    /// <summary>The freshness lifetime, capped at <see cref="CacheLayerOriginDirectedOptions.MaxTimeToLive"/>; null without explicit freshness (or a heuristic).</summary>
    public TimeSpan? Lifetime(int status, StoredHttpResponse stored, DateTimeOffset responseTime)
    {
        var lifetime = ExplicitLifetime(stored, responseTime) ?? Heuristic(status, stored, responseTime);
        return lifetime is { } value ? Min(value, _settings.MaxTimeToLive) : null;
    }

    /// <summary>When the response was produced, on this process's clock: its response time less its corrected initial age (§4.2.3).</summary>
    public static DateTimeOffset BornAt(IHeaderDictionary response, DateTimeOffset requestTime, DateTimeOffset responseTime)
    {
        var date = Date(response.Date.Count > 0 ? response.Date[0] : null) ?? responseTime;
        var apparentAge = Max(TimeSpan.Zero, responseTime - date);
        var ageValue = AgeOf(response.Age.Count > 0 ? response.Age[0] : null);
        var correctedAge = ageValue + (responseTime - requestTime);
        return responseTime - Max(apparentAge, correctedAge);
    }

    private TimeSpan? ExplicitLifetime(StoredHttpResponse stored, DateTimeOffset responseTime)
    {
        var directives = stored.Directives;
        if (directives.Seconds("s-maxage") is { } shared)
        {
            return shared;
        }
        if (directives.Seconds("max-age") is { } maxAge)
        {
            return maxAge;
        }
        if (stored.First(HeaderNames.Expires) is { } expires)
        {
            if (stored.Values(HeaderNames.Expires).Count > 1)
            {
                return TimeSpan.Zero;
            }
            // An invalid Expires (such as "0") means already expired.
            var date = Date(stored.First(HeaderNames.Date)) ?? responseTime;
            return Date(expires) is { } at ? Max(TimeSpan.Zero, at - date) : TimeSpan.Zero;
        }
        return null;
    }

    private TimeSpan? Heuristic(int status, StoredHttpResponse stored, DateTimeOffset responseTime)
    {
        if (_settings.HeuristicFraction <= 0 || !(HeuristicallyCacheable.Contains(status) || stored.Directives.Has("public")))
        {
            return null;
        }
        var date = Date(stored.First(HeaderNames.Date)) ?? responseTime;
        return Date(stored.First(HeaderNames.LastModified)) is { } modified && modified < date
            ? (date - modified) * _settings.HeuristicFraction
            : null;
    }

    public static DateTimeOffset? Date(string? value) => HttpDate.Parse(value);

    private static TimeSpan AgeOf(string? age) =>
        // A list ("7200, 0") counts by its first member.
        CacheControlDirectives.ParseDeltaSeconds(age?.Split(',')[0].Trim()) is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;

    private static TimeSpan Max(TimeSpan first, TimeSpan second) => first > second ? first : second;

    private static TimeSpan Min(TimeSpan first, TimeSpan second) => first < second ? first : second;
}
