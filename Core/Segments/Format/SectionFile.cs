using System.Buffers.Binary;
using System.Text;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// The container every segment file uses: a checksummed header naming 64-byte-aligned sections, then the sections,
/// then a footer. A loader can map the file and take aligned spans of each section without parsing its content.
/// <code>
/// offset        size  field (all integers little-endian)
/// 0             4     magic, 4 ASCII bytes naming the file kind ("VACF" column, "VATS" timestamps, ...)
/// 4             2     format version of that kind (u16)
/// 6             2     meta length M (u16): the kind's fixed header fields
/// 8             4     section count N (u32)
/// 12            4     header length H = 24 + M + 24*N + 4 (u32)
/// 16            8     file length in bytes (u64)
/// 24            M     meta (layout documented by each file kind)
/// 24+M          24*N  section table, per section: kind u32, CRC-32C u32, offset u64, length u64
/// H-4           4     header CRC-32C over bytes [0, H-4)
/// H             ..    zero padding to a multiple of 64
/// S0            len0  section 0 at S0 = align64(H); section i+1 at align64(end of section i); zero padding between
/// F = align64(end of last section, or align64(H) when N = 0)
/// F             8     file length again (u64)
/// F+8           4     header CRC again (u32)
/// F+12          4     magic again
/// </code>
/// The layout is fully determined by M and the section lengths, and the reader checks that every byte is either
/// covered by a CRC, compared against a copy, or zero padding, so any single corrupted byte is detected.
/// </summary>
internal static class SectionFile
{
    public const int Alignment = 64;
    public const int FixedHeaderBytes = 24;
    public const int SectionEntryBytes = 24;
    public const int FooterBytes = 16;
    public const int MaxSections = 64;

    public static long Align(long n) => (n + (Alignment - 1)) & ~(long)(Alignment - 1);

    public static int HeaderLength(int metaLength, int sectionCount) =>
        FixedHeaderBytes + metaLength + SectionEntryBytes * sectionCount + sizeof(uint);

    public static uint Magic(string ascii) => BinaryPrimitives.ReadUInt32LittleEndian(Encoding.ASCII.GetBytes(ascii));

    /// <summary>The header CRC copy in a finished file's footer (0 if the file is too short to have one).</summary>
    public static uint FooterHeaderCrc(ReadOnlySpan<byte> file) =>
        file.Length < FooterBytes ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(file[^8..]);

    public static string MagicText(uint magic)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, magic);
        var sb = new StringBuilder(4);
        foreach (byte c in b)
            sb.Append(c is >= 0x20 and < 0x7F ? (char)c : '?');
        return sb.ToString();
    }
}

/// <summary>Section kinds (the u32 in the section table); a file kind states which it expects in which order.</summary>
internal enum SectionKind : uint
{
    Validity = 1,
    Values = 2,
    Offsets = 3,
    Data = 4,
    Records = 5,
    Strings = 6,
    Bloom = 7,
}

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
