using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments;

/// <summary>
/// Primary key → rows of one segment. Milvus allows the same key to be inserted twice, so each key maps to a chain
/// of rows (newest first). Guarded by a lock: the writer adds while readers look up.
/// </summary>
internal sealed class PkIndex
{
    private readonly Dictionary<long, int>? _ints;
    private readonly Dictionary<string, int>? _strings;
    private int[] _next = new int[64];
    private readonly Lock _lock = new();

    public PkIndex(DataType pkType, int expectedRows = 0)
    {
        if (pkType == DataType.Int64)
            _ints = new Dictionary<long, int>(expectedRows);
        else
            _strings = new Dictionary<string, int>(expectedRows, StringComparer.Ordinal);
        if (expectedRows > 0)
            _next = new int[expectedRows];
    }

    public void Add(Column pkColumn, int rowInColumn, int globalRow)
    {
        lock (_lock)
        {
            if (globalRow >= _next.Length)
                Array.Resize(ref _next, Math.Max(globalRow + 1, _next.Length + (_next.Length >> 1)));
            int head;
            if (_ints is not null)
            {
                long key = ((FixedColumn<long>)pkColumn).Get(rowInColumn);
                if (!_ints.TryGetValue(key, out head))
                    head = -1;
                _ints[key] = globalRow;
            }
            else
            {
                string key = Encoding.UTF8.GetString(((VarColumn)pkColumn).Get(rowInColumn));
                if (!_strings!.TryGetValue(key, out head))
                    head = -1;
                _strings[key] = globalRow;
            }
            _next[globalRow] = head;
        }
    }

    /// <summary>Copies the rows holding <paramref name="pk"/> (newest first) into <paramref name="rows"/>.</summary>
    public void Find(PrimaryKey pk, List<int> rows)
    {
        lock (_lock)
        {
            int row = -1;
            bool found = _ints is not null
                ? !pk.IsString && _ints.TryGetValue(pk.Int, out row)
                : pk.IsString && _strings!.TryGetValue(pk.Str!, out row);
            if (!found)
                return;
            while (row >= 0)
            {
                rows.Add(row);
                row = _next[row];
            }
        }
    }

    public long MemoryBytes
    {
        get
        {
            lock (_lock)
            {
                // Dictionary entry: hash + next + key + value, plus the bucket int; strings add their own objects.
                long entries = _ints is not null ? _ints.Count * 24L : _strings!.Count * 56L;
                return entries + _next.Length * 4L;
            }
        }
    }
}
