using VectorAspire.Core.Storage;
using System.Buffers.Binary;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// Validates a whole section file (structure, every CRC, padding, footer) on construction; afterwards the meta and
/// sections can be read without further checks on their integrity (their meaning is the caller's to validate).
/// </summary>
internal sealed class SectionFileReader
{
    private readonly ReadOnlyMemory<byte> _file;
    private readonly int _metaLength;
    private readonly SectionKind[] _kinds;
    private readonly int[] _offsets;
    private readonly int[] _lengths;

    public SectionFileReader(ReadOnlyMemory<byte> file, uint magic, ushort version, int metaLength, string what)
    {
        _file = file;
        What = what;
        var span = file.Span;
        int minimum = SectionFile.HeaderLength(0, 0) + SectionFile.FooterBytes;
        if (span.Length < 4)
            throw Fail($"truncated: {span.Length} bytes is shorter than the {minimum}-byte minimum");
        uint foundMagic = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (foundMagic != magic)
            throw Fail($"wrong magic '{SectionFile.MagicText(foundMagic)}', expected '{SectionFile.MagicText(magic)}'");
        if (span.Length < minimum)
            throw Fail($"truncated: {span.Length} bytes is shorter than the {minimum}-byte minimum");
        ushort foundVersion = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        if (foundVersion != version)
            throw Fail($"unsupported format version {foundVersion} (this build reads version {version})");
        int foundMeta = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
        if (foundMeta != metaLength)
            throw Fail($"header meta length is {foundMeta}, expected {metaLength}");
        uint sectionCount = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        if (sectionCount > SectionFile.MaxSections)
            throw Fail($"section count {sectionCount} exceeds {SectionFile.MaxSections}");
        int headerLength = SectionFile.HeaderLength(metaLength, (int)sectionCount);
        uint foundHeaderLength = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
        if (foundHeaderLength != headerLength)
            throw Fail($"header length is {foundHeaderLength}, expected {headerLength} for {sectionCount} sections");
        if (span.Length < headerLength)
            throw Fail($"truncated inside the header: {span.Length} bytes, header needs {headerLength}");
        uint headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(span[(headerLength - sizeof(uint))..]);
        uint computed = Crc32C.Compute(span[..(headerLength - sizeof(uint))]);
        if (headerCrc != computed)
            throw Fail($"header CRC mismatch (stored 0x{headerCrc:X8}, computed 0x{computed:X8})");
        ulong declaredLength = BinaryPrimitives.ReadUInt64LittleEndian(span[16..]);
        if (declaredLength != (ulong)span.Length)
            throw Fail($"length mismatch: header says {declaredLength} bytes, got {span.Length} (truncated or padded)");
        HeaderCrc = headerCrc;

        _metaLength = metaLength;
        _kinds = new SectionKind[sectionCount];
        _offsets = new int[sectionCount];
        _lengths = new int[sectionCount];
        long expectedOffset = SectionFile.Align(headerLength);
        long previousEnd = headerLength;
        int footerStart = span.Length - SectionFile.FooterBytes;
        var table = span[(SectionFile.FixedHeaderBytes + metaLength)..];
        for (int i = 0; i < sectionCount; i++)
        {
            var entry = table.Slice(i * SectionFile.SectionEntryBytes, SectionFile.SectionEntryBytes);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            if (offset != (ulong)expectedOffset)
                throw Fail($"section {i} starts at {offset}, expected {expectedOffset}");
            if (expectedOffset > footerStart)
                throw Fail($"section {i} starts at {offset}, past the footer at {footerStart}");
            if (length > (ulong)(footerStart - expectedOffset))
                throw Fail($"section {i} ({length} bytes at {offset}) runs past the end of the file");
            RequireZeroPadding(span, previousEnd, expectedOffset);
            var body = span.Slice((int)offset, (int)length);
            uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            uint bodyCrc = Crc32C.Compute(body);
            if (storedCrc != bodyCrc)
                throw Fail($"section {i} CRC mismatch (stored 0x{storedCrc:X8}, computed 0x{bodyCrc:X8})");
            _kinds[i] = (SectionKind)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            _offsets[i] = (int)offset;
            _lengths[i] = (int)length;
            previousEnd = expectedOffset + (long)length;
            expectedOffset = SectionFile.Align(previousEnd);
        }
        if (expectedOffset != footerStart)
            throw Fail($"footer expected at {expectedOffset}, file ends with a footer at {footerStart}");
        RequireZeroPadding(span, previousEnd, footerStart);
        var footer = span[footerStart..];
        if (BinaryPrimitives.ReadUInt64LittleEndian(footer) != (ulong)span.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(footer[8..]) != headerCrc
            || BinaryPrimitives.ReadUInt32LittleEndian(footer[12..]) != magic)
        {
            throw Fail("footer does not match the header (corrupt footer)");
        }
    }

    public string What { get; }

    /// <summary>The header CRC: it covers every section CRC, so it identifies the file's whole content.</summary>
    public uint HeaderCrc { get; }

    public int SectionCount => _kinds.Length;

    public ReadOnlySpan<byte> Meta => _file.Span.Slice(SectionFile.FixedHeaderBytes, _metaLength);

    /// <summary>The body of section <paramref name="index"/>, which must be of <paramref name="kind"/>.</summary>
    public ReadOnlyMemory<byte> Section(int index, SectionKind kind)
    {
        if (_kinds[index] != kind)
            throw Fail($"section {index} is of kind {(uint)_kinds[index]}, expected {kind}");
        return _file.Slice(_offsets[index], _lengths[index]);
    }

    public void RequireSectionCount(int count)
    {
        if (_kinds.Length != count)
            throw Fail($"has {_kinds.Length} sections, expected {count}");
    }

    public SegmentFormatException Fail(string problem) => new($"{What}: {problem}");

    private void RequireZeroPadding(ReadOnlySpan<byte> span, long from, long to)
    {
        if (span[(int)from..(int)to].ContainsAnyExcept((byte)0))
            throw Fail($"non-zero padding between bytes {from} and {to}");
    }
}
