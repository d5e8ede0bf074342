using System.Globalization;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Benchmarks;

/// <summary>Command line: <c>&lt;command&gt; [--name value]...</c>.</summary>
internal sealed class BenchOptions
{
    public string Command { get; private init; } = "flat";
    public int Rows { get; private init; } = 100_000;
    public int Dim { get; private init; } = 128;
    public int Queries { get; private init; } = 200;
    public int K { get; private init; } = 10;
    public int Seed { get; private init; } = 42;
    public MetricType Metric { get; private init; } = MetricType.L2;

    /// <summary>Fraction of rows eligible under a random filter; 1 = no filter.</summary>
    public double FilterDensity { get; private init; } = 1.0;

    public bool Kernels { get; private init; } = true;

    /// <summary>fvecs files to search instead of generated data (--rows/--queries then cap how many are used).</summary>
    public string? BasePath { get; private init; }

    /// <summary>Copy the rows to 64-byte aligned native memory before searching.</summary>
    public bool Aligned { get; private init; }

    /// <summary>Whether --rows was given (with --base it caps the rows read; otherwise the whole file).</summary>
    public bool RowsGiven { get; private init; }

    public string? QueryPath { get; private init; }

    /// <summary>Writes the generated data as PREFIX.base.fvecs and PREFIX.query.fvecs (to run the C reference scan on it).</summary>
    public string? SavePrefix { get; private init; }

    public const string Usage = """
        usage: VectorAspire.Benchmarks <flat|kernels> [options]
          flat     single-query FLAT top-k on one thread (latency median/p99, scan GB/s), a batched run,
                   then the kernel micro-benchmarks (skip with --no-kernels)
          kernels  kernel micro-benchmarks only
        options: --rows N (100000) --dim D (128) --queries Q (200) --k K (10) --metric L2|IP|COSINE (L2)
                 --seed S (42) --filter DENSITY (1 = unfiltered) --no-kernels --aligned (rows in 64-byte aligned memory)
                 --base FILE.fvecs --query FILE.fvecs (search these instead of generated data)
                 --save-fvecs PREFIX (write the generated data as PREFIX.base.fvecs / PREFIX.query.fvecs)
        """;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
            throw new FormatException(Usage);
        string command = args[0];
        if (command is not ("flat" or "kernels"))
            throw new FormatException($"unknown command '{command}'\n{Usage}");
        int rows = 100_000, dim = 128, queries = 200, k = 10, seed = 42;
        var metric = MetricType.L2;
        double filter = 1.0;
        bool kernels = true, rowsGiven = false, aligned = false;
        string? basePath = null, queryPath = null, savePrefix = null;
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--no-kernels")
            {
                kernels = false;
                continue;
            }
            if (name == "--aligned")
            {
                aligned = true;
                continue;
            }
            if (i + 1 >= args.Length)
                throw new FormatException($"option {name} needs a value\n{Usage}");
            string value = args[++i];
            switch (name)
            {
                case "--rows": rows = PositiveInt(name, value); rowsGiven = true; break;
                case "--dim": dim = PositiveInt(name, value); break;
                case "--queries": queries = PositiveInt(name, value); break;
                case "--k": k = PositiveInt(name, value); break;
                case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--metric": metric = Metrics.Parse(value); break;
                case "--filter": filter = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--base": basePath = value; break;
                case "--query": queryPath = value; break;
                case "--save-fvecs": savePrefix = value; break;
                default: throw new FormatException($"unknown option {name}\n{Usage}");
            }
        }
        if ((basePath is null) != (queryPath is null))
            throw new FormatException("--base and --query go together");
        if ((long)rows * dim > Array.MaxLength)
            throw new FormatException($"rows x dim = {(long)rows * dim} exceeds one array; use fewer rows");
        return new BenchOptions
        {
            Command = command, Rows = rows, Dim = dim, Queries = queries, K = k, Seed = seed, Metric = metric,
            FilterDensity = filter, Kernels = kernels, BasePath = basePath, QueryPath = queryPath, SavePrefix = savePrefix,
            RowsGiven = rowsGiven, Aligned = aligned,
        };
    }

    public BenchOptions With(int rows, int dim, int queries) => new()
    {
        Command = Command, Rows = rows, Dim = dim, Queries = queries, K = K, Seed = Seed, Metric = Metric,
        FilterDensity = FilterDensity, Kernels = Kernels, BasePath = BasePath, QueryPath = QueryPath, SavePrefix = SavePrefix,
        RowsGiven = RowsGiven, Aligned = Aligned,
    };

    private static int PositiveInt(string name, string value)
    {
        int v = int.Parse(value, CultureInfo.InvariantCulture);
        return v >= 1 ? v : throw new FormatException($"{name} must be at least 1");
    }
}
