using System.Text;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// A compiled LIKE pattern over UTF-8 bytes: % matches any run (including empty), _ matches exactly one code point,
/// a backslash escapes the next character (<c>\%</c>, <c>\_</c>, <c>\\</c>). Prefix / suffix / infix / exact
/// patterns use span searches; anything else runs a backtracking glob matcher without allocating.
/// </summary>
internal sealed class LikePattern
{
    private const int AnyOne = -1;
    private const int AnyMany = -2;

    private enum Shape { Exact, Prefix, Suffix, Infix, General }

    private readonly Shape _shape;
    private readonly byte[] _literal = [];
    private readonly int[] _ops = [];

    public LikePattern(string pattern)
    {
        Pattern = pattern;
        var ops = new List<int>();
        bool simple = true;
        var buffer = new byte[4];
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '%' or '_' or '\\')
            {
                simple = false;
                AppendLiteral(ops, pattern[++i].ToString(), buffer);
            }
            else if (c == '%')
            {
                if (ops.Count == 0 || ops[^1] != AnyMany)
                    ops.Add(AnyMany);
            }
            else if (c == '_')
            {
                simple = false;
                ops.Add(AnyOne);
            }
            else
            {
                int len = char.IsHighSurrogate(c) && i + 1 < pattern.Length ? 2 : 1;
                AppendLiteral(ops, pattern.Substring(i, len), buffer);
                i += len - 1;
            }
        }
        _ops = ops.ToArray();

        int stars = 0;
        foreach (int op in _ops)
        {
            if (op == AnyMany)
                stars++;
        }
        bool leading = _ops.Length > 0 && _ops[0] == AnyMany;
        bool trailing = _ops.Length > 0 && _ops[^1] == AnyMany;
        int inner = stars - (leading ? 1 : 0) - (trailing && _ops.Length > 1 ? 1 : 0);
        _shape = Shape.General;
        if (simple && inner == 0)
        {
            var bytes = new List<byte>();
            foreach (int op in _ops)
            {
                if (op >= 0)
                    bytes.Add((byte)op);
            }
            _literal = bytes.ToArray();
            _shape = (leading, trailing) switch
            {
                (false, false) => Shape.Exact,
                (false, true) => Shape.Prefix,
                (true, false) => Shape.Suffix,
                _ => Shape.Infix,
            };
        }
    }

    public string Pattern { get; }

    private static void AppendLiteral(List<int> ops, string s, byte[] buffer)
    {
        int n = Encoding.UTF8.GetBytes(s, buffer);
        for (int k = 0; k < n; k++)
            ops.Add(buffer[k]);
    }

    public bool IsMatch(ReadOnlySpan<byte> s) => _shape switch
    {
        Shape.Exact => s.SequenceEqual(_literal),
        Shape.Prefix => s.StartsWith(_literal),
        Shape.Suffix => s.EndsWith(_literal),
        Shape.Infix => s.IndexOf(_literal) >= 0,
        _ => MatchGeneral(s, _ops),
    };

    private static int CodePointLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xF0 => 4,
        >= 0xE0 => 3,
        >= 0xC0 => 2,
        _ => 1,
    };

    private static bool MatchGeneral(ReadOnlySpan<byte> s, ReadOnlySpan<int> p)
    {
        int si = 0, pi = 0, starPi = -1, starSi = 0;
        while (si < s.Length)
        {
            if (pi < p.Length && p[pi] >= 0 && p[pi] == s[si])
            {
                pi++;
                si++;
            }
            else if (pi < p.Length && p[pi] == AnyOne)
            {
                si = Math.Min(s.Length, si + CodePointLength(s[si]));
                pi++;
            }
            else if (pi < p.Length && p[pi] == AnyMany)
            {
                starPi = pi++;
                starSi = si;
            }
            else if (starPi >= 0)
            {
                // Let the last % absorb one more code point and retry; keeps _ aligned on code point boundaries.
                starSi = Math.Min(s.Length, starSi + CodePointLength(s[starSi]));
                si = starSi;
                pi = starPi + 1;
            }
            else
            {
                return false;
            }
        }
        while (pi < p.Length && p[pi] == AnyMany)
            pi++;
        return pi == p.Length;
    }
}
