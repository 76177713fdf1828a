using System.Text;

namespace CacheLayer.Tests.Unit;

public class CacheEntryTests
{
    private static readonly DateTimeOffset StoredAt = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_entry_survives_serialization_byte_for_byte()
    {
        var body = Encoding.UTF8.GetBytes("{\"posts\":[\"Cached post A\",\"Cached post B\"]}");
        var entry = new CacheEntry(200, "application/json; charset=utf-8", "\"abc\"", body, StoredAt, StoredAt.AddSeconds(90));

        var read = CacheEntry.Deserialize(entry.Serialize());

        Assert.NotNull(read);
        Assert.Equal(200, read.StatusCode);
        Assert.Equal("application/json; charset=utf-8", read.ContentType);
        Assert.Equal("\"abc\"", read.ETag);
        Assert.Equal(body, read.Body.ToArray());
        Assert.Equal(StoredAt, read.StoredAt);
        Assert.Equal(StoredAt.AddSeconds(90), read.ExpiresAt);
    }

    [Fact]
    public void An_empty_body_and_no_content_type_round_trip()
    {
        var entry = new CacheEntry(200, null, "\"e\"", ReadOnlyMemory<byte>.Empty, StoredAt, StoredAt.AddSeconds(1));

        var read = CacheEntry.Deserialize(entry.Serialize());

        Assert.NotNull(read);
        Assert.Null(read.ContentType);
        Assert.Equal(0, read.Body.Length);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 99, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    public void Bytes_it_did_not_write_read_as_no_entry(byte[] bytes)
    {
        Assert.Null(CacheEntry.Deserialize(bytes));
    }

    [Fact]
    public void A_truncated_entry_reads_as_no_entry()
    {
        var entry = new CacheEntry(200, "application/json", "\"e\"", new byte[] { 1 }, StoredAt, StoredAt.AddSeconds(1)).Serialize();

        Assert.Null(CacheEntry.Deserialize(entry.AsMemory(0, 25)));
    }

    [Fact]
    public void Age_and_remaining_ttl_follow_the_clock()
    {
        var entry = new CacheEntry(200, null, "\"e\"", ReadOnlyMemory<byte>.Empty, StoredAt, StoredAt.AddSeconds(120));

        Assert.Equal(TimeSpan.FromSeconds(30), entry.Age(StoredAt.AddSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(90), entry.TimeToLive(StoredAt.AddSeconds(30)));
        Assert.Equal(TimeSpan.Zero, entry.TimeToLive(StoredAt.AddSeconds(500)));
    }
}
