using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Unit;

public class SharedDeadlinesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void Every_call_gets_at_least_its_timeout_and_at_most_one_slice_more()
    {
        var clock = new FakeTimeProvider();
        var deadlines = new SharedDeadlines(Timeout, clock);
        var first = deadlines.Next();
        clock.Advance(SharedDeadlines.Slice / 2);
        var sameSlice = deadlines.Next();

        clock.Advance(Timeout - SharedDeadlines.Slice / 2 - TimeSpan.FromMilliseconds(1));
        Assert.False(first.IsCancellationRequested);
        clock.Advance(SharedDeadlines.Slice + TimeSpan.FromMilliseconds(1));

        Assert.Equal(first, sameSlice);
        Assert.True(first.IsCancellationRequested);
    }

    [Fact]
    public void A_call_in_a_later_slice_gets_a_later_deadline()
    {
        var clock = new FakeTimeProvider();
        var deadlines = new SharedDeadlines(Timeout, clock);
        var first = deadlines.Next();
        clock.Advance(SharedDeadlines.Slice);

        var later = deadlines.Next();
        clock.Advance(Timeout + TimeSpan.FromMilliseconds(1));

        Assert.NotEqual(first, later);
        Assert.True(first.IsCancellationRequested);
        Assert.False(later.IsCancellationRequested);
    }
}
