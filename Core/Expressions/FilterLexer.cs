using System.Globalization;
using System.Text;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// Splits a Milvus filter expression into tokens. Keywords (and, or, not, in, like, ...) come out as identifiers and
/// are recognised by the parser with Milvus's exact casings (lower case or upper case, never mixed).
/// </summary>
internal static class FilterLexer
{
    public static List<FilterToken> Tokenize(string text)
    {
        var tokens = new List<FilterToken>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
                i++;
            if (i >= text.Length)
            {
                tokens.Add(new FilterToken(TokenKind.End, text.Length, ""));
                return tokens;
            }
            char c = text[i];
            int start = i;
            if ((c is 'r' or 'R') && i + 1 < text.Length && text[i + 1] is '"' or '\'')
            {
                i++;
                tokens.Add(ReadString(text, ref i, start, raw: true));
            }
            else if (IsIdentStart(c) || (c == '$' && StartsWithMeta(text, i)))
            {
                i += c == '$' ? 5 : 1;
                while (i < text.Length && IsIdentPart(text[i]))
                    i++;
                tokens.Add(new FilterToken(TokenKind.Identifier, start, text[start..i]));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumber(text, ref i));
            }
            else if (c is '"' or '\'')
            {
                tokens.Add(ReadString(text, ref i, start, raw: false));
            }
            else
            {
                tokens.Add(ReadPunctuation(text, ref i));
            }
        }
    }

    private static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool StartsWithMeta(string text, int i) =>
        string.CompareOrdinal(text, i, "$meta", 0, 5) == 0 && (i + 5 >= text.Length || !IsIdentPart(text[i + 5]));

    private static FilterToken ReadPunctuation(string text, ref int i)
    {
        int start = i;
        char c = text[i];
        char next = i + 1 < text.Length ? text[i + 1] : '\0';
        (TokenKind kind, int len) = c switch
        {
            '(' => (TokenKind.LParen, 1),
            ')' => (TokenKind.RParen, 1),
            '[' => (TokenKind.LBracket, 1),
            ']' => (TokenKind.RBracket, 1),
            '{' => (TokenKind.LBrace, 1),
            '}' => (TokenKind.RBrace, 1),
            ',' => (TokenKind.Comma, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' when next != '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '<' when next == '=' => (TokenKind.Le, 2),
            '<' when next != '<' => (TokenKind.Lt, 1),
            '>' when next == '=' => (TokenKind.Ge, 2),
            '>' when next != '>' => (TokenKind.Gt, 1),
            '=' when next == '=' => (TokenKind.EqEq, 2),
            '!' when next == '=' => (TokenKind.NotEq, 2),
            '!' when next != '~' => (TokenKind.Bang, 1),
            '&' when next == '&' => (TokenKind.AndAnd, 2),
            '|' when next == '|' => (TokenKind.OrOr, 2),
            _ => (TokenKind.End, 0),
        };
        if (len == 0)
        {
            string shown = text.Substring(i, Math.Min(2, text.Length - i));
            throw new FilterSyntaxException(
                $"unsupported character or operator '{shown}' at position {start}", start);
        }
        i += len;
        return new FilterToken(kind, start, text.Substring(start, len));
    }

    private static FilterToken ReadNumber(string text, ref int i)
    {
        int start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X' or 'b' or 'B')
        {
            bool hex = text[i + 1] is 'x' or 'X';
            i += 2;
            int digitsStart = i;
            while (i < text.Length && (hex ? char.IsAsciiHexDigit(text[i]) : text[i] is '0' or '1'))
                i++;
            if (i == digitsStart)
                throw new FilterSyntaxException($"expected digits after '{text.Substring(start, 2)}' at position {i}", i);
            ulong v = 0;
            for (int k = digitsStart; k < i; k++)
            {
                int d = hex ? HexValue(text[k]) : text[k] - '0';
                ulong shifted = hex ? v << 4 : v << 1;
                if ((hex && v > (ulong.MaxValue >> 4)) || (!hex && v > (ulong.MaxValue >> 1)))
                    throw OutOfRange(text, start, i);
                v = shifted | (uint)d;
            }
            return IntToken(text, start, i, v);
        }

        while (i < text.Length && char.IsAsciiDigit(text[i]))
            i++;
        bool isFloat = false;
        if (i < text.Length && text[i] == '.')
        {
            isFloat = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            int save = i;
            i++;
            if (i < text.Length && text[i] is '+' or '-')
                i++;
            if (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                isFloat = true;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                    i++;
            }
            else
            {
                i = save;
            }
        }
        if (i < text.Length && IsIdentStart(text[i]))
            throw new FilterSyntaxException($"expected a number at position {start} near '{text[start..(i + 1)]}'", start);
        string s = text[start..i];
        if (isFloat)
            return new FilterToken(TokenKind.Float, start, s, FloatValue: double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));

        ulong value = 0;
        bool octal = s.Length > 1 && s[0] == '0';
        foreach (char ch in s)
        {
            int d = ch - '0';
            if (octal && d > 7)
                throw new FilterSyntaxException($"invalid octal digit in '{s}' at position {start}", start);
            ulong radix = octal ? 8UL : 10UL;
            if (value > (ulong.MaxValue - (ulong)d) / radix)
                throw OutOfRange(text, start, i);
            value = value * radix + (ulong)d;
        }
        return IntToken(text, start, i, value);
    }

    private static FilterToken IntToken(string text, int start, int end, ulong value)
    {
        // 2^63 is allowed here only so that the parser can fold it under a unary minus into long.MinValue.
        if (value > (ulong)long.MaxValue + 1)
            throw OutOfRange(text, start, end);
        return new FilterToken(TokenKind.Int, start, text[start..end], IntMagnitude: value);
    }

    private static FilterSyntaxException OutOfRange(string text, int start, int end) =>
        new($"integer literal '{text[start..end]}' at position {start} is out of the Int64 range", start);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static FilterToken ReadString(string text, ref int i, int start, bool raw)
    {
        char quote = text[i];
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= text.Length || text[i] is '\n' or '\r')
                throw new FilterSyntaxException($"unterminated string literal starting at position {start}", start);
            char c = text[i];
            if (c == quote)
            {
                i++;
                break;
            }
            if (c != '\\')
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (i + 1 >= text.Length)
                throw new FilterSyntaxException($"unterminated string literal starting at position {start}", start);
            char e = text[i + 1];
            if (raw)
            {
                sb.Append(c).Append(e);
                i += 2;
                continue;
            }
            i += 2;
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'a': sb.Append('\a'); break;
                case '\\': sb.Append('\\'); break;
                case '"': sb.Append('"'); break;
                case '\'': sb.Append('\''); break;
                case '?': sb.Append('?'); break;
                case 'x': sb.Append((char)ReadHex(text, ref i, 2, 2, start)); break;
                case 'u':
                    int unit = ReadHex(text, ref i, 4, 4, start);
                    // JSON-style surrogate pairs (\uD83D\uDE00) are accepted as one code point.
                    if (unit is >= 0xD800 and <= 0xDBFF && i + 1 < text.Length && text[i] == '\\' && text[i + 1] == 'u')
                    {
                        int save = i;
                        i += 2;
                        int low = ReadHex(text, ref i, 4, 4, start);
                        if (low is >= 0xDC00 and <= 0xDFFF)
                            unit = char.ConvertToUtf32((char)unit, (char)low);
                        else
                            i = save;
                    }
                    AppendCodePoint(sb, unit, start);
                    break;
                case 'U': AppendCodePoint(sb, ReadHex(text, ref i, 8, 8, start), start); break;
                case >= '0' and <= '7':
                    int v = e - '0';
                    for (int k = 0; k < 2 && i < text.Length && text[i] is >= '0' and <= '7'; k++)
                        v = v * 8 + (text[i++] - '0');
                    sb.Append((char)v);
                    break;
                default:
                    // Unknown escapes keep their backslash so LIKE patterns can escape wildcards: "100\%".
                    sb.Append('\\').Append(e);
                    break;
            }
        }
        return new FilterToken(TokenKind.String, start, text[start..i], StringValue: sb.ToString());
    }

    private static int ReadHex(string text, ref int i, int min, int max, int start)
    {
        int v = 0, n = 0;
        while (n < max && i < text.Length && char.IsAsciiHexDigit(text[i]))
        {
            v = (v << 4) | HexValue(text[i]);
            i++;
            n++;
        }
        if (n < min)
            throw new FilterSyntaxException($"expected {min} hex digits in escape at position {i}", i);
        return v;
    }

    private static void AppendCodePoint(StringBuilder sb, int cp, int start)
    {
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            throw new FilterSyntaxException($"invalid unicode escape in string literal at position {start}", start);
        sb.Append(char.ConvertFromUtf32(cp));
    }
}
