using System.Globalization;
using System.Numerics;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// Turns a route, query or header value into the form its parameter's type gives it, parsed as ASP.NET Core
/// binds it (invariant culture), so <c>01</c> and <c>1</c> for an <c>int</c> share one key. A value that does
/// not parse is not keyed at all: the app answers it with its own 400. Types the layer does not know
/// (strings, custom <c>TryParse</c> types) are keyed by the value as sent.
/// </summary>
internal sealed class ValueCanonicalizer
{
    /// <summary>Keys the value as it is.</summary>
    public static readonly ValueCanonicalizer AsSent = new(static value => value);

    private readonly Func<string, string?> _canonical;

    private ValueCanonicalizer(Func<string, string?> canonical) => _canonical = canonical;

    /// <summary>The canonical text of <paramref name="value"/>; false when it does not parse for the type.</summary>
    public bool TryCanonicalize(string value, out string canonical)
    {
        if (value.Length == 0)
        {
            canonical = value;
            return true;
        }
        canonical = _canonical(value)!;
        return canonical is not null;
    }

    public static ValueCanonicalizer For(Type type)
    {
        type = type.IsArray ? type.GetElementType()! : type;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return new(value => Enum.TryParse(type, value, ignoreCase: true, out var parsed) ? parsed!.ToString() : null);
        }
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Int32 => Number<int>(),
            TypeCode.Int64 => Number<long>(),
            TypeCode.Int16 => Number<short>(),
            TypeCode.Byte => Number<byte>(),
            TypeCode.SByte => Number<sbyte>(),
            TypeCode.UInt16 => Number<ushort>(),
            TypeCode.UInt32 => Number<uint>(),
            TypeCode.UInt64 => Number<ulong>(),
            TypeCode.Decimal => new(static value => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed)
                ? (parsed / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture) : null),
            TypeCode.Double => new(static value => double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var parsed)
                ? parsed.ToString("R", CultureInfo.InvariantCulture) : null),
            TypeCode.Single => new(static value => float.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var parsed)
                ? parsed.ToString("R", CultureInfo.InvariantCulture) : null),
            TypeCode.Boolean => new(static value => bool.TryParse(value, out var parsed) ? (parsed ? "true" : "false") : null),
            TypeCode.DateTime => new(static value => DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed.ToString("O", CultureInfo.InvariantCulture) : null),
            _ when type == typeof(Guid) => new(static value => Guid.TryParse(value, out var parsed) ? parsed.ToString("D") : null),
            _ when type == typeof(DateTimeOffset) => new(static value => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                ? parsed.ToString("O", CultureInfo.InvariantCulture) : null),
            _ when type == typeof(DateOnly) => new(static value => DateOnly.TryParse(value, CultureInfo.InvariantCulture, out var parsed)
                ? parsed.ToString("O", CultureInfo.InvariantCulture) : null),
            _ when type == typeof(TimeOnly) => new(static value => TimeOnly.TryParse(value, CultureInfo.InvariantCulture, out var parsed)
                ? parsed.ToString("O", CultureInfo.InvariantCulture) : null),
            _ when type == typeof(TimeSpan) => new(static value => TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed)
                ? parsed.ToString("c", CultureInfo.InvariantCulture) : null),
            _ => AsSent,
        };
    }

    private static ValueCanonicalizer Number<T>() where T : INumber<T> =>
        new(static value => T.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed.ToString(null, CultureInfo.InvariantCulture) : null);
}
