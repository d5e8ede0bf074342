using System.Text;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

public sealed class DeltaLogFileTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5000)]
    public void Int64DeletesRoundTrip(int count)
    {
        var rng = new Random(count);
        var pks = Enumerable.Range(0, count).Select(_ => rng.NextInt64(long.MinValue, long.MaxValue)).ToArray();
        var ts = Enumerable.Range(0, count).Select(i => (ulong)(1000 + rng.Next(1_000_000))).ToArray();
        var log = DeltaLogFile.Read(DeltaLogFile.Write(DeltaLog.FromInt64(pks, ts)));
        Assert.Equal(DataType.Int64, log.PkType);
        Assert.Equal(count, log.Count);
        for (int i = 0; i < count; i++)
            Assert.Equal((pks[i], ts[i]), (log.GetInt64Pk(i), log.Timestamps[i]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3000)]
    public void VarCharDeletesRoundTripIncludingEmptyKeys(int count)
    {
        var pks = Enumerable.Range(0, count).Select(i => i % 7 == 0 ? "" : $"ключ-{i}").ToArray();
        var ts = Enumerable.Range(0, count).Select(i => (ulong)i * 3).ToArray();
        var log = DeltaLogFile.Read(DeltaLogFile.Write(DeltaLog.FromVarChar(pks, ts)));
        Assert.Equal(DataType.VarChar, log.PkType);
        Assert.Equal(count, log.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(pks[i], Encoding.UTF8.GetString(log.GetVarCharPk(i)));
            Assert.Equal(ts[i], log.Timestamps[i]);
        }
    }

    [Fact]
    public void CorruptedOrTruncatedDeltaLogsAreRejected()
    {
        var ints = DeltaLogFile.Write(DeltaLog.FromInt64([5, -3, 9, long.MaxValue], [10, 11, 9, 20]));
        Corruption.EveryFlipIsDetected(ints, b => DeltaLogFile.Read(b));
        Corruption.EveryTruncationIsDetected(ints, b => DeltaLogFile.Read(b));
        var strings = DeltaLogFile.Write(DeltaLog.FromVarChar(["a", "", "longer key"], [3, 2, 1]));
        Corruption.EveryFlipIsDetected(strings, b => DeltaLogFile.Read(b));
        Corruption.EveryTruncationIsDetected(strings, b => DeltaLogFile.Read(b));
    }

    [Fact]
    public void TimestampFileRoundTripsAndRejectsDamage()
    {
        ulong[] ts = [5, 1, ulong.MaxValue, 0, 77];
        Assert.Equal(ts, TimestampFile.Read(TimestampFile.Write(ts)));
        Assert.Empty(TimestampFile.Read(TimestampFile.Write([])));
        var bytes = TimestampFile.Write(ts);
        Corruption.EveryFlipIsDetected(bytes, b => TimestampFile.Read(b));
        Corruption.EveryTruncationIsDetected(bytes, b => TimestampFile.Read(b));
    }
}
