using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace VectorAspire.Core.Rpc;

/// <summary>gRPC status codes used by the framing.</summary>
public static class GrpcStatus
{
    public const int Ok = 0;
    public const int Cancelled = 1;
    public const int Unknown = 2;
    public const int InvalidArgument = 3;
    public const int DeadlineExceeded = 4;
    public const int ResourceExhausted = 8;
    public const int Unimplemented = 12;
    public const int Internal = 13;
    public const int Unavailable = 14;
    public const int Unauthenticated = 16;
}

/// <summary>A framing or protocol error, carrying the gRPC status to answer with.</summary>
public sealed class GrpcProtocolException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Length-prefixed message framing (gRPC over HTTP/2): 1 byte compressed flag, 4 bytes big-endian length, message.
/// Pure functions over buffers so the server, the client and the tests share them.
/// </summary>
public static class GrpcFraming
{
    public const int HeaderSize = 5;

    /// <summary>
    /// Tries to take one whole message from the front of <paramref name="buffer"/>. Returns false when more bytes are
    /// needed. Throws <see cref="GrpcProtocolException"/> for a bad flag or a declared length over <paramref name="maxBytes"/>
    /// (checked from the header alone, before buffering the body).
    /// </summary>
    public static bool TryReadMessage(ReadOnlySequence<byte> buffer, long maxBytes, out ReadOnlySequence<byte> message, out bool compressed, out SequencePosition consumed)
    {
        message = default;
        compressed = false;
        consumed = buffer.Start;
        if (buffer.Length < HeaderSize)
            return false;
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        byte flag = header[0];
        if (flag > 1)
            throw new GrpcProtocolException(GrpcStatus.Internal, $"invalid compressed flag {flag} in message header");
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > maxBytes)
            throw new GrpcProtocolException(GrpcStatus.ResourceExhausted, $"message of {length} bytes exceeds the limit of {maxBytes} bytes");
        if (buffer.Length < HeaderSize + length)
            return false;
        compressed = flag == 1;
        message = buffer.Slice(HeaderSize, length);
        consumed = buffer.GetPosition(HeaderSize + length);
        return true;
    }

    /// <summary>Decompresses a message flagged as compressed with the declared grpc-encoding.</summary>
    public static byte[] Decompress(ReadOnlySequence<byte> message, string? encoding, long maxBytes)
    {
        if (!string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
            throw new GrpcProtocolException(GrpcStatus.Unimplemented, $"compressed message with unsupported grpc-encoding '{encoding ?? "(none)"}'; only gzip is supported");
        using var input = new MemoryStream(message.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = gzip.Read(chunk, 0, chunk.Length)) > 0)
        {
            output.Write(chunk, 0, n);
            if (output.Length > maxBytes)
                throw new GrpcProtocolException(GrpcStatus.ResourceExhausted, $"decompressed message exceeds the limit of {maxBytes} bytes");
        }
        return output.ToArray();
    }

    public static byte[] Compress(ReadOnlySpan<byte> message)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(message);
        return output.ToArray();
    }

    /// <summary>Writes the 5-byte header for a message of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int length, bool compressed = false)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>A framed copy of <paramref name="message"/> (header + bytes).</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message, bool compressed = false)
    {
        var framed = new byte[HeaderSize + message.Length];
        WriteHeader(framed, message.Length, compressed);
        message.CopyTo(framed.AsSpan(HeaderSize));
        return framed;
    }

    /// <summary>Parses a grpc-timeout value: 1–8 ASCII digits then a unit H, M, S, m (ms), u (µs), n (ns).</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
            return false;
        if (!long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
            return false;
        timeout = value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => TimeSpan.MinValue,
        };
        return timeout != TimeSpan.MinValue;
    }

    public static string FormatTimeout(TimeSpan timeout)
        => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, Math.Min(99_999_999, (long)Math.Ceiling(timeout.TotalMilliseconds)))}m");

    /// <summary>Percent-encodes a grpc-message value (spec: printable ASCII except '%' stays, the rest as %XX of UTF-8).</summary>
    public static string EncodeMessage(string message)
    {
        var sb = new StringBuilder(message.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(message))
        {
            if (b >= 0x20 && b <= 0x7E && b != (byte)'%')
                sb.Append((char)b);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static string DecodeMessage(string encoded)
    {
        if (!encoded.Contains('%', StringComparison.Ordinal))
            return encoded;
        var bytes = new List<byte>(encoded.Length);
        for (int i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length
                && byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)encoded[i]);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
