using System.Buffers;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// A bound boolean node. Evaluation yields two bitsets over the block: <c>data</c> (row matches) and <c>valid</c>
/// (the row's inputs are not null). Invariant: data ⊆ valid.
/// Null semantics follow Milvus's segcore (LogicalUnaryExpr / LogicalBinaryExpr): a leaf neither matches nor is
/// valid on a null input; <c>not</c> yields <c>~data &amp; valid</c>, so <c>not (age &gt; 30)</c> does not match rows
/// whose age is null; <c>and</c> / <c>or</c> combine data bitwise and OR the valid sets. <c>is null</c> is valid on
/// every row. JSON leaves are valid when the JSON column is not null (a missing key is a non-match, not a null), so
/// <c>not (meta["a"] == 1)</c> matches rows that lack "a".
/// </summary>
internal abstract class FilterPredicate
{
    public abstract void Evaluate(ref EvalContext ctx, Span<ulong> data, Span<ulong> valid);
}

/// <summary>A leaf predicate over some columns: valid = all referenced columns are non-null.</summary>
internal abstract class LeafPredicate(int[] columns, bool alwaysValid = false) : FilterPredicate
{
    public sealed override void Evaluate(ref EvalContext ctx, Span<ulong> data, Span<ulong> valid)
    {
        Bits.SetAll(valid, ctx.Rows);
        if (!alwaysValid)
        {
            foreach (int c in columns)
                Bits.AndValidity(valid, ctx.Block.Columns[c]);
        }
        data.Clear();
        EvaluateData(ref ctx, data);
        for (int i = 0; i < data.Length; i++)
            data[i] &= valid[i];
    }

    /// <summary>Sets data bits of matching rows; data starts cleared and is masked with valid afterwards.</summary>
    protected abstract void EvaluateData(ref EvalContext ctx, Span<ulong> data);
}

internal sealed class ConstantPredicate(bool value) : LeafPredicate([], alwaysValid: true)
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        if (value)
            Bits.SetAll(data, ctx.Rows);
    }
}

internal sealed class NotPredicate(FilterPredicate operand) : FilterPredicate
{
    public override void Evaluate(ref EvalContext ctx, Span<ulong> data, Span<ulong> valid)
    {
        operand.Evaluate(ref ctx, data, valid);
        for (int i = 0; i < data.Length; i++)
            data[i] = ~data[i] & valid[i];
    }
}

internal sealed class LogicalPredicate(FilterPredicate left, FilterPredicate right, bool isAnd) : FilterPredicate
{
    public override void Evaluate(ref EvalContext ctx, Span<ulong> data, Span<ulong> valid)
    {
        left.Evaluate(ref ctx, data, valid);
        int words = data.Length;
        ulong[] rd = ArrayPool<ulong>.Shared.Rent(words);
        ulong[] rv = ArrayPool<ulong>.Shared.Rent(words);
        try
        {
            right.Evaluate(ref ctx, rd.AsSpan(0, words), rv.AsSpan(0, words));
            if (isAnd)
            {
                for (int i = 0; i < words; i++)
                    data[i] &= rd[i];
            }
            else
            {
                for (int i = 0; i < words; i++)
                    data[i] |= rd[i];
            }
            for (int i = 0; i < words; i++)
                valid[i] |= rv[i];
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rd);
            ArrayPool<ulong>.Shared.Return(rv);
        }
    }
}

internal sealed class IsNullPredicate(int column, bool negated) : LeafPredicate([], alwaysValid: true)
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var validity = ctx.Block.Columns[column].Validity;
        for (int i = 0; i < data.Length; i++)
        {
            ulong present = validity is null ? ulong.MaxValue : validity[i];
            data[i] = negated ? present : ~present;
        }
        Bits.TrimTail(data, ctx.Rows);
    }
}
