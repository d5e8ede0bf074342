using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace VectorAspire.Benchmarks;

/// <summary>
/// Durable REST insert throughput: N rows of DIM-float vectors in batches through POST /v2/vectordb/entities/insert,
/// from C concurrent clients on this machine. Request bodies are serialised before the clock starts, so the figure
/// is the server's (JSON parse, validation, WAL fsync before ack, apply) plus loopback HTTP.
/// usage: rest-insert [--endpoint URL] [--rows N] [--batch B] [--dim D] [--clients C] [--collection NAME]
/// </summary>
internal static class RestInsertBenchmark
{
    public static int Run(string[] args)
    {
        string endpoint = "http://127.0.0.1:19530", collection = "bench_insert";
        int rows = 200_000, batch = 1000, dim = 128, clients = 2;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            string v = args[i + 1];
            switch (args[i])
            {
                case "--endpoint": endpoint = v; break;
                case "--rows": rows = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--dim": dim = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--collection": collection = v; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        return RunAsync(endpoint, collection, rows, batch, dim, clients).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string endpoint, string collection, int rows, int batch, int dim, int clients)
    {
        using var http = new HttpClient { BaseAddress = new Uri(endpoint), Timeout = TimeSpan.FromMinutes(2) };
        await PostAsync(http, "collections/drop", $"{{\"collectionName\":\"{collection}\"}}", allowError: true);
        await PostAsync(http, "collections/create", $"{{\"collectionName\":\"{collection}\",\"dimension\":{dim},\"metricType\":\"L2\"}}", allowError: false);

        var rng = new Random(42);
        int requests = (rows + batch - 1) / batch;
        var bodies = new byte[requests][];
        long bodyBytes = 0;
        var sb = new StringBuilder();
        for (int r = 0; r < requests; r++)
        {
            sb.Clear();
            sb.Append("{\"collectionName\":\"").Append(collection).Append("\",\"data\":[");
            int n = Math.Min(batch, rows - r * batch);
            for (int i = 0; i < n; i++)
            {
                if (i > 0)
                    sb.Append(',');
                sb.Append("{\"id\":").Append((long)r * batch + i).Append(",\"vector\":[");
                for (int d = 0; d < dim; d++)
                {
                    if (d > 0)
                        sb.Append(',');
                    sb.Append(((float)rng.NextDouble()).ToString("R", CultureInfo.InvariantCulture));
                }
                sb.Append("]}");
            }
            sb.Append("]}");
            bodies[r] = Encoding.UTF8.GetBytes(sb.ToString());
            bodyBytes += bodies[r].Length;
        }

        var latencies = new double[requests];
        int next = -1;
        var clock = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (true)
            {
                int r = Interlocked.Increment(ref next);
                if (r >= requests)
                    return;
                var t = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[r]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var resp = await http.PostAsync("/v2/vectordb/entities/insert", content);
                string text = await resp.Content.ReadAsStringAsync();
                if (!text.StartsWith("{\"code\":0", StringComparison.Ordinal))
                    throw new InvalidOperationException($"insert failed: {text[..Math.Min(200, text.Length)]}");
                latencies[r] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
        }));
        clock.Stop();
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Array.Sort(latencies);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"rest-insert: {rows} rows x {dim} dims, batch {batch}, {clients} clients, {requests} requests, {bodyBytes / 1e6:F1} MB of JSON");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {rows / seconds:F0} rows/s, {bodyBytes / 1e6 / seconds:F1} MB/s JSON, {seconds:F2} s; request latency p50 {latencies[requests / 2]:F1} ms, p99 {latencies[Math.Min(requests - 1, requests * 99 / 100)]:F1} ms; client CPU {clientCpu.TotalSeconds:F1} s"));
        string stats = await PostAsync(http, "collections/get_stats", $"{{\"collectionName\":\"{collection}\"}}", allowError: false);
        Console.WriteLine($"  get_stats: {stats}");
        return 0;
    }

    private static async Task<string> PostAsync(HttpClient http, string path, string json, bool allowError)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var resp = await http.PostAsync($"/v2/vectordb/{path}", content);
        string text = await resp.Content.ReadAsStringAsync();
        if (!allowError && !text.StartsWith("{\"code\":0", StringComparison.Ordinal))
            throw new InvalidOperationException($"{path} failed: {text}");
        return text;
    }
}
