using System.Buffers;
using VectorAspire.Core.Rpc;

namespace VectorAspire.Core.Tests.Rpc;

public sealed class GrpcFramingTests
{
    private static ReadOnlySequence<byte> Fragmented(byte[] bytes, int chunk)
    {
        // A multi-segment sequence, as bytes arrive in separate HTTP/2 DATA frames.
        Segment? first = null, last = null;
        for (int i = 0; i < bytes.Length; i += chunk)
        {
            var mem = bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i));
            if (first is null)
                first = last = new Segment(mem, 0);
            else
                last = last!.Append(mem);
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long index)
        {
            Memory = memory;
            RunningIndex = index;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Fact]
    public void AMessageArrivingByteByByteIsReadOnlyOnceComplete()
    {
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var framed = GrpcFraming.Frame(payload);
        for (int have = 0; have < framed.Length; have++)
            Assert.False(GrpcFraming.TryReadMessage(Fragmented(framed[..have], 1), 1 << 20, out _, out _, out _), $"read with only {have} bytes");
        Assert.True(GrpcFraming.TryReadMessage(Fragmented(framed, 1), 1 << 20, out var message, out bool compressed, out _));
        Assert.False(compressed);
        Assert.Equal(payload, message.ToArray());
    }

    [Fact]
    public void TwoMessagesInOneBufferAreReadOneAfterTheOther()
    {
        var both = GrpcFraming.Frame([1, 2, 3]).Concat(GrpcFraming.Frame([4, 5])).ToArray();
        var seq = new ReadOnlySequence<byte>(both);
        Assert.True(GrpcFraming.TryReadMessage(seq, 100, out var first, out _, out var consumed));
        Assert.Equal([1, 2, 3], first.ToArray());
        Assert.True(GrpcFraming.TryReadMessage(seq.Slice(consumed), 100, out var second, out _, out _));
        Assert.Equal([4, 5], second.ToArray());
    }

    [Fact]
    public void CompressedFramesRoundTripWithGzipOnly()
    {
        var payload = Enumerable.Repeat((byte)7, 10_000).ToArray();
        var framed = GrpcFraming.Frame(GrpcFraming.Compress(payload), compressed: true);
        Assert.True(GrpcFraming.TryReadMessage(new ReadOnlySequence<byte>(framed), 1 << 20, out var message, out bool compressed, out _));
        Assert.True(compressed);
        Assert.Equal(payload, GrpcFraming.Decompress(message, "gzip", 1 << 20));
        var ex = Assert.Throws<GrpcProtocolException>(() => GrpcFraming.Decompress(message, "snappy", 1 << 20));
        Assert.Equal(GrpcStatus.Unimplemented, ex.Status);
        var bomb = Assert.Throws<GrpcProtocolException>(() => GrpcFraming.Decompress(message, "gzip", 100));
        Assert.Equal(GrpcStatus.ResourceExhausted, bomb.Status);
    }

    [Fact]
    public void AnOversizedDeclaredLengthIsRefusedFromTheHeaderAlone()
    {
        var header = new byte[5];
        GrpcFraming.WriteHeader(header, 1_000_000);
        var ex = Assert.Throws<GrpcProtocolException>(() => GrpcFraming.TryReadMessage(new ReadOnlySequence<byte>(header), 1000, out _, out _, out _));
        Assert.Equal(GrpcStatus.ResourceExhausted, ex.Status);
    }

    [Fact]
    public void ATruncatedBodyIsNotAMessageAndABadFlagIsAnError()
    {
        var framed = GrpcFraming.Frame([1, 2, 3, 4]);
        Assert.False(GrpcFraming.TryReadMessage(new ReadOnlySequence<byte>(framed[..^1]), 100, out _, out _, out _));
        framed[0] = 2;
        Assert.Throws<GrpcProtocolException>(() => GrpcFraming.TryReadMessage(new ReadOnlySequence<byte>(framed), 100, out _, out _, out _));
    }

    [Theory]
    [InlineData("2H", 7200_000)]
    [InlineData("3M", 180_000)]
    [InlineData("15S", 15_000)]
    [InlineData("15000m", 15_000)]
    [InlineData("86399996m", 86_399_996)]
    [InlineData("2500u", 2.5)]
    [InlineData("3000000n", 3)]
    public void TimeoutsParseInEveryUnit(string value, double milliseconds)
    {
        Assert.True(GrpcFraming.TryParseTimeout(value, out var timeout));
        Assert.Equal(milliseconds, timeout.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("15x")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    public void MalformedTimeoutsAreRejected(string value) => Assert.False(GrpcFraming.TryParseTimeout(value, out _));

    [Fact]
    public void StatusMessagesArePercentEncoded()
    {
        string message = "collection not found[collection=ü%]\n";
        string encoded = GrpcFraming.EncodeMessage(message);
        Assert.DoesNotContain('\n', encoded);
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(message, GrpcFraming.DecodeMessage(encoded));
    }
}
