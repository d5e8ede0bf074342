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
