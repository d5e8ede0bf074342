namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// A persisted segment file is corrupt, truncated, of the wrong kind or version, or does not match the schema it is
/// read against. The message names the file kind and the problem; the data must not be used.
/// </summary>
public sealed class SegmentFormatException : Exception
{
    public SegmentFormatException()
    {
    }

    public SegmentFormatException(string message)
        : base(message)
    {
    }

    public SegmentFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
