using VectorAspire.Core.Storage;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Storage;

public sealed class LocalObjectStoreTests : ObjectStoreConformanceTests
{
    private readonly TempDirectory _dir = new();

    protected override ValueTask<IObjectStore> CreateStore() => ValueTask.FromResult<IObjectStore>(new LocalObjectStore(_dir.Path));

    protected override ValueTask DisposeStore()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task PutLeavesNoTempFilesAndListIgnoresStrayOnes()
    {
        await Store.PutAsync("x/y", new byte[] { 1, 2, 3 }, Ct);
        Assert.Equal(new[] { "y" }, Directory.GetFiles(_dir.Combine("x")).Select(f => Path.GetFileName(f)!).ToArray());
        await File.WriteAllBytesAsync(_dir.Combine("x", "y.abc" + LocalObjectStore.TempSuffix), [9], Ct);
        var keys = new List<string>();
        await foreach (ObjectInfo info in Store.ListAsync("", Ct))
        {
            keys.Add(info.Key);
        }

        Assert.Equal(["x/y"], keys);
    }

    [Fact]
    public void Crc32CMatchesTheStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        byte[] data = new byte[1000];
        new Random(3).NextBytes(data);
        Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, 333)), data.AsSpan(333)));
    }
}
