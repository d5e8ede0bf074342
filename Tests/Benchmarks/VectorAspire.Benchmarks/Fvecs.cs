using System.Buffers.Binary;

namespace VectorAspire.Benchmarks;

/// <summary>The fvecs format of the anchor benchmark: per record an int32 dimension, then that many float32,
/// little-endian.</summary>
internal static class Fvecs
{
    public static (float[] Values, int Count, int Dim) Read(string path, int maxCount = int.MaxValue)
    {
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[4];
        stream.ReadExactly(header);
        int dim = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (dim < 1)
            throw new InvalidDataException($"{path}: dimension {dim} in the first record");
        long recordBytes = 4 + (4L * dim);
        long count = Math.Min(maxCount, stream.Length / recordBytes);
        if ((long)count * dim > Array.MaxLength)
            throw new InvalidDataException($"{path}: {count} x {dim} values do not fit one array");
        var values = new float[count * dim];
        stream.Position = 0;
        var record = new byte[recordBytes];
        for (long i = 0; i < count; i++)
        {
            stream.ReadExactly(record);
            if (BinaryPrimitives.ReadInt32LittleEndian(record) != dim)
                throw new InvalidDataException($"{path}: record {i} has a different dimension");
            for (int j = 0; j < dim; j++)
                values[(i * dim) + j] = BinaryPrimitives.ReadSingleLittleEndian(record.AsSpan(4 + (4 * j)));
        }
        return (values, (int)count, dim);
    }

    public static void Write(string path, float[] values, int dim)
    {
        using var stream = File.Create(path);
        var record = new byte[4 + (4 * dim)];
        BinaryPrimitives.WriteInt32LittleEndian(record, dim);
        for (long i = 0; i < values.Length / dim; i++)
        {
            for (int j = 0; j < dim; j++)
                BinaryPrimitives.WriteSingleLittleEndian(record.AsSpan(4 + (4 * j)), values[(i * dim) + j]);
            stream.Write(record);
        }
    }
}
