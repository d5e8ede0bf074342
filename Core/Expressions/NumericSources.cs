using System.Buffers;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// A numeric value per row, materialised column-at-a-time into an Int64 or a double vector (by <see cref="IsFloat"/>)
/// plus a <c>present</c> bitset (row has a value: not null, key present, right JSON type, no division by zero).
/// </summary>
internal abstract class NumSource
{
    public abstract bool IsFloat { get; }

    /// <summary>Fills ints (when !IsFloat) or floats (when IsFloat) for rows [0, ctx.Rows), and present.</summary>
    public abstract void Fill(ref EvalContext ctx, Span<long> ints, Span<double> floats, Span<ulong> present);

    public abstract void CollectColumns(List<int> columns);

    /// <summary>Fills as the requested kind, widening Int64 to double when needed.</summary>
    public void FillAs(ref EvalContext ctx, bool asFloat, Span<long> ints, Span<double> floats, Span<ulong> present)
    {
        if (IsFloat == asFloat)
        {
            Fill(ref ctx, ints, floats, present);
            return;
        }
        if (!asFloat)
            throw new InvalidOperationException("a float source cannot be read as Int64");
        long[] tmp = ArrayPool<long>.Shared.Rent(ctx.Rows);
        try
        {
            Fill(ref ctx, tmp, floats, present);
            for (int i = 0; i < ctx.Rows; i++)
                floats[i] = tmp[i];
        }
        finally
        {
            ArrayPool<long>.Shared.Return(tmp);
        }
    }
}

/// <summary>A scalar numeric field (Int8..Int64, Float, Double).</summary>
internal sealed class FieldNumSource(int column, DataType type) : NumSource
{
    public int Column => column;
    public DataType Type => type;

    public override bool IsFloat => type.IsFloating();

    public override void CollectColumns(List<int> columns) => columns.Add(column);

    public override void Fill(ref EvalContext ctx, Span<long> ints, Span<double> floats, Span<ulong> present)
    {
        present = present[..ctx.Words];
        var col = ctx.Block.Columns[column];
        int n = ctx.Rows;
        switch (type)
        {
            case DataType.Int8:
                var i8 = ((FixedColumn<sbyte>)col).RawValues.AsSpan(0, n);
                for (int i = 0; i < n; i++)
                    ints[i] = i8[i];
                break;
            case DataType.Int16:
                var i16 = ((FixedColumn<short>)col).RawValues.AsSpan(0, n);
                for (int i = 0; i < n; i++)
                    ints[i] = i16[i];
                break;
            case DataType.Int32:
                var i32 = ((FixedColumn<int>)col).RawValues.AsSpan(0, n);
                for (int i = 0; i < n; i++)
                    ints[i] = i32[i];
                break;
            case DataType.Int64:
                ((FixedColumn<long>)col).RawValues.AsSpan(0, n).CopyTo(ints);
                break;
            case DataType.Float:
                var f32 = ((FixedColumn<float>)col).RawValues.AsSpan(0, n);
                for (int i = 0; i < n; i++)
                    floats[i] = f32[i];
                break;
            default:
                ((FixedColumn<double>)col).RawValues.AsSpan(0, n).CopyTo(floats);
                break;
        }
        Bits.SetAll(present, n);
        Bits.AndValidity(present, col);
    }
}

internal sealed class ConstNumSource(bool isFloat, long intValue, double floatValue) : NumSource
{
    public override bool IsFloat => isFloat;

    public override void CollectColumns(List<int> columns)
    {
    }

    public override void Fill(ref EvalContext ctx, Span<long> ints, Span<double> floats, Span<ulong> present)
    {
        present = present[..ctx.Words];
        if (isFloat)
            floats[..ctx.Rows].Fill(floatValue);
        else
            ints[..ctx.Rows].Fill(intValue);
        Bits.SetAll(present, ctx.Rows);
    }
}

/// <summary>
/// l op r for + - * / %. Int64 arithmetic wraps on overflow; integer division or modulo by zero leaves the row
/// without a value (it matches no comparison). Float arithmetic follows IEEE (x/0 = ±inf).
/// </summary>
internal sealed class ArithNumSource(NumSource left, BinaryOp op, NumSource right) : NumSource
{
    public override bool IsFloat => left.IsFloat || right.IsFloat;

    public override void CollectColumns(List<int> columns)
    {
        left.CollectColumns(columns);
        right.CollectColumns(columns);
    }

    public override void Fill(ref EvalContext ctx, Span<long> ints, Span<double> floats, Span<ulong> present)
    {
        present = present[..ctx.Words];
        int n = ctx.Rows;
        bool f = IsFloat;
        left.FillAs(ref ctx, f, ints, floats, present);
        long[] ri = ArrayPool<long>.Shared.Rent(f ? 1 : n);
        double[] rf = ArrayPool<double>.Shared.Rent(f ? n : 1);
        ulong[] rp = ArrayPool<ulong>.Shared.Rent(ctx.Words);
        try
        {
            right.FillAs(ref ctx, f, ri, rf, rp);
            for (int w = 0; w < ctx.Words; w++)
                present[w] &= rp[w];
            if (f)
                Combine(floats[..n], rf.AsSpan(0, n));
            else
                Combine(ints[..n], ri.AsSpan(0, n), present);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ri);
            ArrayPool<double>.Shared.Return(rf);
            ArrayPool<ulong>.Shared.Return(rp);
        }
    }

    private void Combine(Span<double> l, ReadOnlySpan<double> r)
    {
        switch (op)
        {
            case BinaryOp.Add: for (int i = 0; i < l.Length; i++) l[i] += r[i]; break;
            case BinaryOp.Sub: for (int i = 0; i < l.Length; i++) l[i] -= r[i]; break;
            case BinaryOp.Mul: for (int i = 0; i < l.Length; i++) l[i] *= r[i]; break;
            case BinaryOp.Div: for (int i = 0; i < l.Length; i++) l[i] /= r[i]; break;
            default: for (int i = 0; i < l.Length; i++) l[i] %= r[i]; break;
        }
    }

    private void Combine(Span<long> l, ReadOnlySpan<long> r, Span<ulong> present)
    {
        switch (op)
        {
            case BinaryOp.Add: for (int i = 0; i < l.Length; i++) l[i] = unchecked(l[i] + r[i]); break;
            case BinaryOp.Sub: for (int i = 0; i < l.Length; i++) l[i] = unchecked(l[i] - r[i]); break;
            case BinaryOp.Mul: for (int i = 0; i < l.Length; i++) l[i] = unchecked(l[i] * r[i]); break;
            default:
                bool div = op == BinaryOp.Div;
                for (int i = 0; i < l.Length; i++)
                {
                    long d = r[i];
                    if (d == 0)
                    {
                        present[i >> 6] &= ~(1UL << i);
                        l[i] = 0;
                    }
                    else if (d == -1)
                    {
                        l[i] = div ? unchecked(-l[i]) : 0; // avoids the OverflowException of long.MinValue / -1
                    }
                    else
                    {
                        l[i] = div ? l[i] / d : l[i] % d;
                    }
                }
                break;
        }
    }
}
