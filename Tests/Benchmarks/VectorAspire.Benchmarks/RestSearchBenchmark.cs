using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VectorAspire.Benchmarks;

/// <summary>
/// End-to-end FLAT search latency over REST: loads N random DIM-d rows (flushed to a sealed segment unless
/// --growing), then sends Q single-vector top-K searches one after another and reports per-query latency.
/// usage: rest-search [--endpoint URL] [--rows N] [--dim D] [--queries Q] [--k K] [--growing]
/// </summary>
internal static class RestSearchBenchmark
{
    public static int Run(string[] args)
    {
        string endpoint = "http://127.0.0.1:19530";
        int rows = 100_000, dim = 128, queries = 200, k = 10;
        bool growing = false;
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--growing")
            {
                growing = true;
                continue;
            }
            string v = args[++i];
            switch (args[i - 1])
            {
                case "--endpoint": endpoint = v; break;
                case "--rows": rows = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--dim": dim = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--queries": queries = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--k": k = int.Parse(v, CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i - 1]}"); return 2;
            }
        }
        return RunAsync(endpoint, rows, dim, queries, k, growing).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string endpoint, int rows, int dim, int queries, int k, bool growing)
    {
        const string Collection = "bench_search";
        using var http = new HttpClient { BaseAddress = new Uri(endpoint), Timeout = TimeSpan.FromMinutes(5) };
        await PostAsync(http, "collections/drop", $"{{\"collectionName\":\"{Collection}\"}}", allowError: true);
        await PostAsync(http, "collections/create", $"{{\"collectionName\":\"{Collection}\",\"dimension\":{dim},\"metricType\":\"L2\"}}", allowError: false);
        var rng = new Random(7);
        var sb = new StringBuilder();
        for (int start = 0; start < rows; start += 5000)
        {
            sb.Clear().Append("{\"collectionName\":\"").Append(Collection).Append("\",\"data\":[");
            for (int i = start; i < Math.Min(rows, start + 5000); i++)
            {
                if (i > start)
                    sb.Append(',');
                sb.Append("{\"id\":").Append(i).Append(",\"vector\":");
                AppendVector(sb, rng, dim);
                sb.Append('}');
            }
            sb.Append("]}");
            await PostAsync(http, "entities/insert", sb.ToString(), allowError: false);
        }
        string indexNote = "";
        if (!growing)
        {
            await PostAsync(http, "collections/flush", $"{{\"collectionName\":\"{Collection}\"}}", allowError: false);
            // Quick-create gives the vector field an index that is built in the background: measure searches once it
            // is built everywhere, so that servers are compared at the same state rather than at a race.
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromMinutes(5))
            {
                string state = await PostAsync(http, "indexes/describe", $"{{\"collectionName\":\"{Collection}\",\"indexName\":\"vector\"}}", allowError: true);
                if (state.Contains("\"indexState\":\"Finished\"", StringComparison.Ordinal) || !state.Contains("\"code\":0", StringComparison.Ordinal))
                    break;
                await Task.Delay(200);
            }
            indexNote = string.Create(CultureInfo.InvariantCulture, $", index ready {wait.Elapsed.TotalSeconds:F1} s after the flush");
        }
        var bodies = new string[queries];
        for (int q = 0; q < queries; q++)
        {
            sb.Clear().Append("{\"collectionName\":\"").Append(Collection).Append("\",\"limit\":").Append(k).Append(",\"data\":[");
            AppendVector(sb, rng, dim);
            sb.Append("]}");
            bodies[q] = sb.ToString();
        }
        for (int w = 0; w < Math.Min(20, queries); w++)
            await PostAsync(http, "entities/search", bodies[w], allowError: false);
        var latencies = new double[queries];
        var total = Stopwatch.StartNew();
        for (int q = 0; q < queries; q++)
        {
            long t = Stopwatch.GetTimestamp();
            await PostAsync(http, "entities/search", bodies[q], allowError: false);
            latencies[q] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        total.Stop();
        Array.Sort(latencies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rest-search: {rows} x {dim} ({(growing ? "growing" : "sealed")}{indexNote}), top-{k}, {queries} sequential queries: p50 {latencies[queries / 2]:F2} ms, p99 {latencies[Math.Min(queries - 1, queries * 99 / 100)]:F2} ms, {queries / total.Elapsed.TotalSeconds:F0} QPS"));
        return 0;
    }

    internal static void AppendVector(StringBuilder sb, Random rng, int dim)
    {
        sb.Append('[');
        for (int d = 0; d < dim; d++)
        {
            if (d > 0)
                sb.Append(',');
            sb.Append(((float)rng.NextDouble()).ToString("R", CultureInfo.InvariantCulture));
        }
        sb.Append(']');
    }

    internal static async Task<string> PostAsync(HttpClient http, string path, string json, bool allowError)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var resp = await http.PostAsync($"/v2/vectordb/{path}", content);
        string text = await resp.Content.ReadAsStringAsync();
        if (!allowError && !text.StartsWith("{\"code\":0", StringComparison.Ordinal))
            throw new InvalidOperationException($"{path} failed: {text[..Math.Min(300, text.Length)]}");
        return text;
    }
}
