using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VectorAspire.Core.Tests.Expressions;

/// <summary>Seeded random rows for <see cref="ExpressionTestData.Things"/> and random well-typed filter expressions over them.</summary>
internal sealed class RandomFilterGenerator(Random rng)
{
    private static readonly string[] s_words = ["", "a", "ab", "abc", "b", "ba", "Ab", "é", "日本", "日本語", "a_b", "a%b", "xyz", "😀x", "x\"y"];
    private static readonly string[] s_patterns = ["a%", "%b", "%b%", "a_", "_b", "a_b", "%", "", "日%", "%語", "_本%", "😀_", "_", "__", "a\\\\%b", "a\\\\_b", "%a%b%", "x%y"];
    private static readonly long[] s_bigInts = [long.MaxValue, long.MinValue, 9007199254740993, 9007199254740992, -9007199254740993, 1L << 40];
    private static readonly double[] s_doubles = [-2.5, -1, 0, 0.1, 0.5, 1, 2.5, 3, 9007199254740992.0, 1e300, -0.0];
    private static readonly float[] s_floats = [-2.5f, -1f, 0f, 0.1f, 0.5f, 1f, 2.5f, 3f, 1e10f];
    private static readonly string[] s_numFields = ["i8", "i16", "i32", "i64", "f", "d", "id"];
    private static readonly string[] s_jsonPaths =
    [
        "meta[\"a\"]", "meta[\"b\"]", "meta[\"nested\"][\"x\"]", "meta[\"tags\"][0]", "meta[\"tags\"][1]", "k1", "k2",
        "$meta[\"k1\"]", "color", "tags[1]", "$meta[\"nested\"][\"x\"]", "meta[\"missing\"]",
    ];
    private static readonly string[] s_jsonArrays = ["meta[\"tags\"]", "tags", "$meta[\"tags\"]", "meta[\"a\"]", "meta"];
    private static readonly string[] s_nullable = ["b", "i32", "i64", "f", "s", "meta", "arr_s", "i8", "arr_i"];

    private T Pick<T>(T[] items) => items[rng.Next(items.Length)];

    private bool Chance(double p) => rng.NextDouble() < p;

    // ---------- rows ----------

    public object?[] Row(long id)
    {
        return
        [
            id,
            Chance(0.2) ? null : Chance(0.5),
            (sbyte)(Chance(0.1) ? Pick(new[] { sbyte.MinValue, sbyte.MaxValue }) : rng.Next(-5, 6)),
            (short)(Chance(0.1) ? Pick(new[] { short.MinValue, short.MaxValue }) : rng.Next(-5, 6)),
            Chance(0.2) ? null : Chance(0.1) ? Pick(new[] { int.MinValue, int.MaxValue }) : rng.Next(-5, 6),
            Chance(0.2) ? null : Chance(0.2) ? Pick(s_bigInts) : (long)rng.Next(-5, 6),
            Chance(0.15) ? null : Chance(0.05) ? float.NaN : Pick(s_floats),
            Chance(0.05) ? double.NaN : Pick(s_doubles),
            Chance(0.15) ? null : Pick(s_words),
            Chance(0.1) ? null : MetaJson(),
            JsonArray(rng.Next(0, 5), () => Chance(0.1) ? Pick(s_bigInts).ToString(CultureInfo.InvariantCulture) : rng.Next(-3, 4).ToString(CultureInfo.InvariantCulture)),
            Chance(0.15) ? null : JsonArray(rng.Next(0, 5), () => JsonSerializer.Serialize(Pick(s_words))),
            new float[2],
            DynamicJson(),
        ];
    }

    private string JsonArray(int n, Func<string> element)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < n; i++)
            sb.Append(i > 0 ? ", " : "").Append(element());
        return sb.Append(']').ToString();
    }

    private string JsonScalar(int depth)
    {
        switch (rng.Next(depth > 0 ? 9 : 7))
        {
            case 0: return rng.Next(-5, 6).ToString(CultureInfo.InvariantCulture);
            case 1: return Pick(s_doubles).ToString("R", CultureInfo.InvariantCulture);
            case 2: return JsonSerializer.Serialize(Pick(s_words));
            case 3: return Chance(0.5) ? "true" : "false";
            case 4: return "null";
            case 5: return Pick(s_bigInts).ToString(CultureInfo.InvariantCulture);
            case 6: return Chance(0.5) ? "1.0" : "\"1\"";
            case 7: return JsonArray(rng.Next(0, 4), () => JsonScalar(depth - 1));
            default: return "{\"x\": " + JsonScalar(depth - 1) + "}";
        }
    }

    private string JsonObject(string[] keys)
    {
        var sb = new StringBuilder("{");
        bool first = true;
        foreach (var k in keys)
        {
            if (!Chance(0.7))
                continue;
            sb.Append(first ? "" : ", ").Append('"').Append(k).Append("\": ");
            sb.Append(k switch
            {
                "tags" => Chance(0.8) ? JsonArray(rng.Next(0, 4), () => Chance(0.7) ? JsonSerializer.Serialize(Pick(s_words)) : JsonScalar(0)) : JsonScalar(1),
                "nested" => Chance(0.8) ? "{\"x\": " + JsonScalar(0) + "}" : JsonScalar(1),
                _ => JsonScalar(2),
            });
            first = false;
        }
        return sb.Append('}').ToString();
    }

    private string MetaJson() => rng.Next(12) switch
    {
        0 => "[1, 2]",
        1 => "5",
        _ => JsonObject(["a", "b", "tags", "nested"]),
    };

    private string DynamicJson() => JsonObject(["k1", "k2", "tags", "color", "nested"]);

    // ---------- expressions ----------

    public Dictionary<string, JsonElement> Templates() => new()
    {
        ["t_int"] = JsonDocument.Parse(rng.Next(-5, 6).ToString(CultureInfo.InvariantCulture)).RootElement,
        ["t_float"] = JsonDocument.Parse(Pick(s_doubles).ToString("R", CultureInfo.InvariantCulture)).RootElement,
        ["t_str"] = JsonDocument.Parse(JsonSerializer.Serialize(Pick(s_words))).RootElement,
        ["t_list"] = JsonDocument.Parse("[" + string.Join(", ", Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Next(-5, 6))) + "]").RootElement,
        ["t_bool"] = JsonDocument.Parse(Chance(0.5) ? "true" : "false").RootElement,
    };

    public string Expression(int depth)
    {
        if (depth <= 0 || Chance(0.35))
            return Leaf();
        return rng.Next(6) switch
        {
            0 or 1 => $"{Expression(depth - 1)} {Pick(new[] { "and", "AND", "&&" })} {Expression(depth - 1)}",
            2 or 3 => $"{Expression(depth - 1)} {Pick(new[] { "or", "OR", "||" })} {Expression(depth - 1)}",
            4 => $"{Pick(new[] { "not ", "NOT ", "!" })}({Expression(depth - 1)})",
            _ => $"({Expression(depth - 1)})",
        };
    }

    private string CmpOp() => Pick(new[] { "==", "!=", "<", "<=", ">", ">=" });

    private string NumConst() => rng.Next(10) switch
    {
        < 4 => rng.Next(-6, 7).ToString(CultureInfo.InvariantCulture),
        4 => Pick(s_bigInts).ToString(CultureInfo.InvariantCulture),
        5 or 6 => Pick(s_doubles).ToString("R", CultureInfo.InvariantCulture),
        7 => Pick(s_floats).ToString("R", CultureInfo.InvariantCulture),
        8 => "{t_int}",
        _ => Pick(new[] { "2.5", "-0.5", "0.1", "1e3", "0x10", "-3" }),
    };

    private string StrConst() => Chance(0.1) ? "{t_str}" : JsonSerializer.Serialize(Pick(s_words), s_json);

    private static readonly JsonSerializerOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private string AnyConst() => rng.Next(4) switch
    {
        0 => NumConst(),
        1 => StrConst(),
        2 => Pick(new[] { "true", "false", "True", "FALSE" }),
        _ => Pick(s_doubles).ToString("R", CultureInfo.InvariantCulture),
    };

    private string List(Func<string> item, int max = 4) =>
        "[" + string.Join(", ", Enumerable.Range(0, rng.Next(0, max + 1)).Select(_ => item())) + "]";

    private string Arith(string field) => rng.Next(6) switch
    {
        0 => $"{field} + {rng.Next(-3, 4)}",
        1 => $"{field} - {Pick(new[] { "1", "2.5", "-4" })}",
        2 => $"{field} * {Pick(new[] { "2", "-1", "0.5", "3" })}",
        3 => $"{field} % {Pick(new[] { "2", "3", "-2" })}",
        4 => $"{field} / {Pick(new[] { "2", "-3", "0.5" })}",
        _ => $"-{field}",
    };

    private string Leaf()
    {
        string nf = Pick(s_numFields);
        switch (rng.Next(30))
        {
            case 0 or 1: return $"{nf} {CmpOp()} {NumConst()}";
            case 2: return $"{NumConst()} {CmpOp()} {nf}";
            case 3: return $"{nf} {CmpOp()} {Pick(s_numFields)}";
            case 4: return $"{Arith(nf)} {CmpOp()} {NumConst()}";
            case 5:
                string[] ints = ["i8", "i16", "i32", "i64"];
                return $"{Pick(ints)} {Pick(new[] { "+", "-", "*", "/", "%" })} {Pick(ints)} {CmpOp()} {NumConst()}";
            case 6:
                return Chance(0.5)
                    ? $"{NumConst()} {Pick(new[] { "<", "<=" })} {nf} {Pick(new[] { "<", "<=" })} {NumConst()}"
                    : $"{NumConst()} {Pick(new[] { ">", ">=" })} {nf} {Pick(new[] { ">", ">=" })} {NumConst()}";
            case 7: return $"{nf} {Pick(new[] { "in", "not in", "IN", "NOT IN" })} {(Chance(0.2) ? "{t_list}" : List(NumConst))}";
            case 8: return $"s {CmpOp()} {StrConst()}";
            case 9: return $"s {Pick(new[] { "in", "not in" })} {List(StrConst)}";
            case 10: return $"s {Pick(new[] { "like", "LIKE" })} \"{Pick(s_patterns)}\"";
            case 11: return Pick(new[] { "b", "b == true", "b != False", "b in [true]", "b not in [false, true]", "b == {t_bool}", "{t_bool}", "true", "FALSE" });
            case 12 or 13:
                string c = AnyConst();
                string op = c is "true" or "false" or "True" or "FALSE" ? Pick(new[] { "==", "!=" }) : CmpOp();
                return $"{Pick(s_jsonPaths)} {op} {c}";
            case 14: return $"{Pick(s_jsonPaths)} {Pick(new[] { "in", "not in" })} {List(AnyConst)}";
            case 15: return $"{Pick(s_jsonPaths)} like \"{Pick(s_patterns)}\"";
            case 16: return $"{Pick(new[] { "exists", "EXISTS" })} {Pick(s_jsonPaths)}";
            case 17: return $"{Pick(s_jsonPaths.Concat(s_nullable).ToArray())} {Pick(new[] { "is null", "is not null", "IS NULL", "IS NOT NULL" })}";
            case 18: return $"{Pick(new[] { "json_contains", "array_contains", "JSON_CONTAINS" })}({Pick(s_jsonArrays)}, {AnyConst()})";
            case 19: return $"{Pick(new[] { "json_contains_all", "json_contains_any", "array_contains_any" })}({Pick(s_jsonArrays)}, {List(AnyConst, 3)})";
            case 20: return $"array_length({Pick(s_jsonArrays.Concat(["arr_i", "arr_s"]).ToArray())}) {CmpOp()} {rng.Next(-1, 5)}";
            case 21: return $"arr_i[{rng.Next(0, 4)}] {CmpOp()} {NumConst()}";
            case 22: return $"arr_s[{rng.Next(0, 4)}] {CmpOp()} {StrConst()}";
            case 23: return $"array_contains(arr_i, {rng.Next(-3, 4)})";
            case 24: return $"{Pick(new[] { "array_contains_all", "array_contains_any" })}(arr_i, {List(() => rng.Next(-3, 4).ToString(CultureInfo.InvariantCulture), 3)})";
            case 25: return $"{Pick(new[] { "array_contains_all", "ARRAY_CONTAINS_ANY" })}(arr_s, {List(StrConst, 3)})";
            case 26: return $"{Arith(Pick(s_jsonPaths))} {CmpOp()} {NumConst()}";
            case 27: return $"arr_i[0] {Pick(new[] { "+", "-", "*" })} arr_i[1] {CmpOp()} {NumConst()}";
            case 28: return $"{Pick(s_jsonPaths)} {Pick(new[] { "in", "not in" })} {Pick(new[] { "{t_list}", "[]" })}";
            default: return $"{Pick(new[] { "i32", "i64", "f", "d" })} {CmpOp()} {Pick(new[] { "{t_int}", "{t_float}" })}";
        }
    }
}
