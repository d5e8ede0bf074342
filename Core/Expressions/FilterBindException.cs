namespace VectorAspire.Core.Expressions;

/// <summary>A well-formed filter expression does not fit the collection schema (unknown field, type mismatch, ...).</summary>
public sealed class FilterBindException : Exception
{
    public FilterBindException(string message)
        : base(message)
    {
    }
}
