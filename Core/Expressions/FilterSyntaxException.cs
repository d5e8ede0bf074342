namespace VectorAspire.Core.Expressions;

/// <summary>A filter expression is not well formed. <see cref="Position"/> is the 0-based character offset.</summary>
public sealed class FilterSyntaxException : Exception
{
    public FilterSyntaxException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    public int Position { get; }
}
