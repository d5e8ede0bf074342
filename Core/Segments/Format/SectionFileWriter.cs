using VectorAspire.Core.Storage;
using System.Buffers.Binary;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// Lays out a section file in one buffer of its final size: callers fill the meta and the sections in place, then
/// <see cref="Finish"/> writes the checksums, the table and the footer.
/// </summary>
internal sealed class SectionFileWriter
{
    private readonly byte[] _buffer;
    private readonly uint _magic;
    private readonly int _metaLength;
    private readonly SectionKind[] _kinds;
    private readonly long[] _offsets;
    private readonly long[] _lengths;
    private readonly int _headerLength;

    public SectionFileWriter(uint magic, ushort version, int metaLength, ReadOnlySpan<(SectionKind Kind, long Length)> sections)
    {
        if (sections.Length > SectionFile.MaxSections)
            throw new ArgumentOutOfRangeException(nameof(sections), "too many sections");
        _magic = magic;
        _metaLength = metaLength;
        _kinds = new SectionKind[sections.Length];
        _offsets = new long[sections.Length];
        _lengths = new long[sections.Length];
        _headerLength = SectionFile.HeaderLength(metaLength, sections.Length);
        long position = SectionFile.Align(_headerLength);
        for (int i = 0; i < sections.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(sections[i].Length);
            _kinds[i] = sections[i].Kind;
            _offsets[i] = position;
            _lengths[i] = sections[i].Length;
            position = SectionFile.Align(checked(position + sections[i].Length));
        }
        long fileLength = position + SectionFile.FooterBytes;
        if (fileLength > Array.MaxLength)
            throw new InvalidOperationException($"segment file would be {fileLength} bytes, above the {Array.MaxLength}-byte limit of one buffer; seal smaller segments");
        // Padding must be zero (the reader checks it), so the buffer is zeroed; section bodies are overwritten anyway.
        _buffer = new byte[fileLength];
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, magic);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), version);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), checked((ushort)metaLength));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), (uint)sections.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(12), (uint)_headerLength);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(16), (ulong)fileLength);
    }

    public Span<byte> Meta => _buffer.AsSpan(SectionFile.FixedHeaderBytes, _metaLength);

    public Span<byte> Section(int index) => _buffer.AsSpan((int)_offsets[index], (int)_lengths[index]);

    /// <summary>Checksums the sections and header, writes the footer, and returns the finished file.</summary>
    public byte[] Finish() => Finish(out _);

    public byte[] Finish(out uint headerCrc)
    {
        var table = _buffer.AsSpan(SectionFile.FixedHeaderBytes + _metaLength);
        for (int i = 0; i < _kinds.Length; i++)
        {
            var entry = table.Slice(i * SectionFile.SectionEntryBytes, SectionFile.SectionEntryBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)_kinds[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], Crc32C.Compute(Section(i)));
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)_offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], (ulong)_lengths[i]);
        }
        headerCrc = Crc32C.Compute(_buffer.AsSpan(0, _headerLength - sizeof(uint)));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_headerLength - sizeof(uint)), headerCrc);
        var footer = _buffer.AsSpan(_buffer.Length - SectionFile.FooterBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)_buffer.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[8..], headerCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[12..], _magic);
        return _buffer;
    }
}
