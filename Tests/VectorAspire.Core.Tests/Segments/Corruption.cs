using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

/// <summary>Asserts a reader rejects damaged bytes with <see cref="SegmentFormatException"/> and nothing else.</summary>
internal static class Corruption
{
    /// <summary>
    /// Flips every byte (XOR 0xFF, then a single bit) of files up to <paramref name="exhaustiveLimit"/> bytes, or
    /// <paramref name="sample"/> seeded random positions of bigger files, and reads each damaged copy.
    /// </summary>
    public static void EveryFlipIsDetected(byte[] file, Action<ReadOnlyMemory<byte>> read, int seed = 1234, int exhaustiveLimit = 20_000, int sample = 2000)
    {
        read(file); // the pristine file must read
        var copy = (byte[])file.Clone();
        IEnumerable<int> positions = file.Length <= exhaustiveLimit
            ? Enumerable.Range(0, file.Length)
            : SamplePositions(file.Length, sample, seed);
        foreach (int pos in positions)
        {
            foreach (byte mask in (ReadOnlySpan<byte>)[0xFF, (byte)(1 << (pos % 8))])
            {
                copy[pos] ^= mask;
                ExpectFormatError(() => read(copy), $"flip 0x{mask:X2} at byte {pos} of {file.Length} (seed {seed})");
                copy[pos] ^= mask;
            }
        }
    }

    /// <summary>Reads every proper prefix of the file (all lengths, or a seeded sample past the limit).</summary>
    public static void EveryTruncationIsDetected(byte[] file, Action<ReadOnlyMemory<byte>> read, int seed = 99, int exhaustiveLimit = 20_000, int sample = 2000)
    {
        IEnumerable<int> lengths = file.Length <= exhaustiveLimit
            ? Enumerable.Range(0, file.Length)
            : SamplePositions(file.Length, sample, seed).Concat(Enumerable.Range(0, 300)).Concat(Enumerable.Range(file.Length - 300, 300));
        foreach (int len in lengths)
            ExpectFormatError(() => read(file.AsMemory(0, len)), $"truncated to {len} of {file.Length} bytes");
        // Extra bytes appended are damage too.
        var longer = new byte[file.Length + 1];
        file.CopyTo(longer, 0);
        ExpectFormatError(() => read(longer), "one byte appended");
    }

    public static void ExpectFormatError(Action action, string what)
    {
        try
        {
            action();
        }
        catch (SegmentFormatException)
        {
            return;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{what}: expected SegmentFormatException, got {ex.GetType().Name}: {ex.Message}");
        }
        Assert.Fail($"{what}: the damaged file was accepted");
    }

    private static IEnumerable<int> SamplePositions(int length, int count, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
            yield return rng.Next(length);
    }
}
