using System.Text;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Tests.Storage;

/// <summary>
/// Behaviour every <see cref="IObjectStore"/> provider must have. A provider's test class subclasses this and
/// supplies <see cref="CreateStore"/>; each test gets a fresh, empty store.
/// </summary>
public abstract class ObjectStoreConformanceTests : IAsyncLifetime
{
    private IObjectStore? _store;

    protected IObjectStore Store => _store ?? throw new InvalidOperationException("store not created");

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Creates an empty store for one test.</summary>
    protected abstract ValueTask<IObjectStore> CreateStore();

    /// <summary>Releases what <see cref="CreateStore"/> created.</summary>
    protected virtual ValueTask DisposeStore() => ValueTask.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStore();

    public async Task DisposeAsync() => await DisposeStore();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected async Task<List<ObjectInfo>> List(string prefix)
    {
        var result = new List<ObjectInfo>();
        await foreach (ObjectInfo info in Store.ListAsync(prefix, Ct))
        {
            result.Add(info);
        }

        return result;
    }

    [Fact]
    public async Task PutThenGetReturnsTheSameBytes()
    {
        await Store.PutAsync("a/b/c.bin", Bytes("hello"), Ct);
        Assert.Equal(Bytes("hello"), await Store.GetAsync("a/b/c.bin", Ct));
        Assert.Equal(5L, await Store.GetSizeAsync("a/b/c.bin", Ct));
    }

    [Fact]
    public async Task PutOfEmptyObjectIsStored()
    {
        await Store.PutAsync("empty", ReadOnlyMemory<byte>.Empty, Ct);
        Assert.Equal(Array.Empty<byte>(), await Store.GetAsync("empty", Ct));
        Assert.Equal(0L, await Store.GetSizeAsync("empty", Ct));
    }

    [Fact]
    public async Task PutOverwritesWholeObject()
    {
        await Store.PutAsync("k", Bytes("a much longer first value"), Ct);
        await Store.PutAsync("k", Bytes("short"), Ct);
        Assert.Equal(Bytes("short"), await Store.GetAsync("k", Ct));
        Assert.Equal(5L, await Store.GetSizeAsync("k", Ct));
    }

    [Fact]
    public async Task MissingKeyReadsAsNullAndRangeThrows()
    {
        Assert.Null(await Store.GetAsync("nope/missing", Ct));
        Assert.Null(await Store.GetSizeAsync("nope/missing", Ct));
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(async () => await Store.GetRangeAsync("nope/missing", 0, 1, Ct));
        Assert.Equal("nope/missing", e.Key);
    }

    [Fact]
    public async Task GetRangeReturnsTheRequestedSlice()
    {
        byte[] data = new byte[100_000];
        new Random(7).NextBytes(data);
        await Store.PutAsync("seg/1/col", data, Ct);
        Assert.Equal(data.AsSpan(12_345, 4_321).ToArray(), await Store.GetRangeAsync("seg/1/col", 12_345, 4_321, Ct));
        Assert.Equal(data.AsSpan(99_990, 10).ToArray(), await Store.GetRangeAsync("seg/1/col", 99_990, 10, Ct));
        Assert.Empty(await Store.GetRangeAsync("seg/1/col", 100_000, 0, Ct));
    }

    [Fact]
    public async Task GetRangePastTheEndThrows()
    {
        await Store.PutAsync("k", Bytes("0123456789"), Ct);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.GetRangeAsync("k", 5, 6, Ct));
    }

    [Fact]
    public async Task ListReturnsKeysWithPrefixInOrdinalOrder()
    {
        string[] keys = ["b/2", "b/10", "b/1/x", "a/1", "b/B", "bb/1", "b/a"];
        foreach (string key in keys)
        {
            await Store.PutAsync(key, Bytes(key), Ct);
        }

        List<ObjectInfo> all = await List("");
        Assert.Equal(keys.Order(StringComparer.Ordinal).ToArray(), all.Select(o => o.Key).ToArray());
        Assert.All(all, o => Assert.Equal(o.Key.Length, o.Size));

        Assert.Equal(["b/1/x", "b/10", "b/2", "b/B", "b/a"], (await List("b/")).Select(o => o.Key).ToArray());
        Assert.Equal(["b/1/x", "b/10"], (await List("b/1")).Select(o => o.Key).ToArray());
        Assert.Equal(["b/1/x", "b/10", "b/2", "b/B", "b/a", "bb/1"], (await List("b")).Select(o => o.Key).ToArray());
        Assert.Empty(await List("zzz/"));
    }

    [Fact]
    public async Task DeleteRemovesTheObjectAndToleratesMissingKeys()
    {
        await Store.PutAsync("d/1", Bytes("x"), Ct);
        await Store.PutAsync("d/2", Bytes("y"), Ct);
        await Store.DeleteAsync("d/1", Ct);
        await Store.DeleteAsync("d/1", Ct);
        await Store.DeleteAsync("never/existed", Ct);
        Assert.Null(await Store.GetAsync("d/1", Ct));
        Assert.Equal(["d/2"], (await List("d/")).Select(o => o.Key).ToArray());
    }

    /// <summary>Virtual only so an emulator that is not atomic on overwrite can pin what it does instead.</summary>
    [Fact]
    public virtual async Task ConcurrentOverwritesLeaveOneWholeValue()
    {
        byte[][] values = [.. Enumerable.Range(0, 8).Select(i => Enumerable.Repeat((byte)i, 50_000 + i).ToArray())];
        await Task.WhenAll(values.Select(v => Task.Run(async () => await Store.PutAsync("race", v, Ct))));
        byte[]? final = await Store.GetAsync("race", Ct);
        Assert.NotNull(final);
        Assert.Contains(values, v => v.AsSpan().SequenceEqual(final));
        Assert.Equal(["race"], (await List("")).Select(o => o.Key).ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a/../b")]
    [InlineData("..")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("a/")]
    [InlineData("./a")]
    public async Task InvalidKeysAreRejected(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutAsync(key, Bytes("x"), Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetAsync(key, Ct));
    }
}
