using System.Runtime.InteropServices;

namespace VectorAspire.Benchmarks;

/// <summary>The base vectors, either in the managed array (16-byte aligned data, so every 512-bit load of a
/// 128-d row straddles two cache lines) or copied to 64-byte aligned native memory (--aligned).</summary>
internal sealed unsafe class RowStore : IDisposable
{
    private readonly float[]? _managed;
    private float* _native;
    private readonly int _length;

    public RowStore(float[] values, bool aligned)
    {
        _length = values.Length;
        if (!aligned)
        {
            _managed = values;
            return;
        }
        _native = (float*)NativeMemory.AlignedAlloc((nuint)values.Length * sizeof(float), 64);
        values.AsSpan().CopyTo(new Span<float>(_native, _length));
    }

    public ReadOnlySpan<float> Span => _managed ?? new ReadOnlySpan<float>(_native, _length);

    public long Alignment => _managed is null ? (long)_native % 64 : (long)Marshal.UnsafeAddrOfPinnedArrayElement(_managed, 0) % 64;

    public void Dispose()
    {
        if (_native != null)
        {
            NativeMemory.AlignedFree(_native);
            _native = null;
        }
    }
}
