namespace CacheLayer.Api;

/// <summary>The one rule the demo's bodies share: a field that must hold some text, up to a length.</summary>
public static class RequiredText
{
    /// <summary>Validation errors keyed by <paramref name="field"/>, or none.</summary>
    public static Dictionary<string, string[]> Validate(string field, string? value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? new() { [field] = [$"A non-empty {field} is required."] }
        : value.Length > maxLength ? new() { [field] = [$"The {field} must be at most {maxLength} characters."] }
        : [];
}
