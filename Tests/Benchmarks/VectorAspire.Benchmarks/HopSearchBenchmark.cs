using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Vectors;
using VectorAspire.Standalone;

namespace VectorAspire.Benchmarks;

/// <summary>
/// Cost of the Proxy → StreamingNode → QueryNode search hop over gRPC against the in-process path. For each internal
/// transport it hosts the standalone server in this process on a temp directory, loads N random DIM-d rows over
/// REST and flushes them (sealed segments on the QueryNode), then times Q sequential top-K searches twice:
/// "hop" calls IStreamingNodeClient.SearchAsync as the Proxy does (in process: the StreamingNode object; grpc: the
/// gRPC client, whose StreamingNode then calls the QueryNode over gRPC too), "rest" is the whole REST search.
/// Measurement starts after the AUTOINDEX (HNSW) build of the sealed segment finished and 200 warm-up calls.
/// usage: hop-search [--rows N] [--dim D] [--queries Q] [--k K] [--rounds R]
/// </summary>
internal static class HopSearchBenchmark
{
    public static int Run(string[] args)
    {
        int rows = 20_000, dim = 128, queries = 2000, k = 10, rounds = 2;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            int v = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--rows": rows = v; break;
                case "--dim": dim = v; break;
                case "--queries": queries = v; break;
                case "--k": k = v; break;
                case "--rounds": rounds = v; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        // Interleave the transports so drift on the shared machine hits both alike.
        for (int r = 0; r < rounds; r++)
        {
            foreach (string transport in new[] { StandaloneOptions.InProcessTransport, StandaloneOptions.GrpcTransport })
                RunAsync(transport, rows, dim, queries, k).GetAwaiter().GetResult();
        }
        return 0;
    }

    private static async Task RunAsync(string transport, int rows, int dim, int queries, int k)
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var app = StandaloneServer.Build(["--port", "0", "--host", "127.0.0.1", "--data-dir", dir, $"--VectorAspire:InternalTransport={transport}"],
                b => b.Logging.ClearProviders());
            await app.StartAsync();
            try
            {
                string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                await MeasureAsync(app.Services, new Uri(address), transport, rows, dim, queries, k);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task MeasureAsync(IServiceProvider services, Uri address, string transport, int rows, int dim, int queries, int k)
    {
        const string Collection = "bench_hop";
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        await RestSearchBenchmark.PostAsync(http, "collections/create", $"{{\"collectionName\":\"{Collection}\",\"dimension\":{dim},\"metricType\":\"L2\"}}", allowError: false);
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
                RestSearchBenchmark.AppendVector(sb, rng, dim);
                sb.Append('}');
            }
            sb.Append("]}");
            await RestSearchBenchmark.PostAsync(http, "entities/insert", sb.ToString(), allowError: false);
        }
        await RestSearchBenchmark.PostAsync(http, "collections/flush", $"{{\"collectionName\":\"{Collection}\"}}", allowError: false);

        var coordinator = services.GetRequiredService<ICoordinatorClient>();
        var streaming = services.GetRequiredService<IStreamingNodeClient>();
        var info = await coordinator.FindCollectionAsync("default", Collection, CancellationToken.None) ?? throw new InvalidOperationException("collection missing");
        int vectorField = -1;
        for (int f = 0; f < info.Schema.Fields.Count; f++)
        {
            if (info.Schema.Fields[f].DataType.IsVector())
                vectorField = f;
        }
        var requests = new ShardSearchRequest[queries];
        var bodies = new string[queries];
        for (int q = 0; q < queries; q++)
        {
            var vector = new float[dim];
            for (int d = 0; d < dim; d++)
                vector[d] = (float)rng.NextDouble();
            requests[q] = new ShardSearchRequest
            {
                CollectionId = info.CollectionId,
                Shard = 0,
                GuaranteeTimestamp = 0,
                Plan = new SearchPlan
                {
                    PartitionIds = info.LoadedPartitionIds,
                    VectorFieldIndex = vectorField,
                    Metric = MetricType.L2,
                    Queries = vector,
                    Nq = 1,
                    Dim = dim,
                    TopK = k,
                },
            };
            sb.Clear().Append("{\"collectionName\":\"").Append(Collection).Append("\",\"limit\":").Append(k).Append(",\"data\":[[");
            for (int d = 0; d < dim; d++)
            {
                if (d > 0)
                    sb.Append(',');
                sb.Append(vector[d].ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append("]]}");
            bodies[q] = sb.ToString();
        }
        // Quick-create adds AUTOINDEX (HNSW): measure only once it is built and loaded, so both transports search the
        // same index and no build competes for the cores.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        foreach (var index in info.Indexes)
        {
            while (true)
            {
                var progress = await coordinator.GetIndexProgressAsync(info.CollectionId, index.IndexName, CancellationToken.None);
                if (progress.FailReason is not null)
                    throw new InvalidOperationException($"index build failed: {progress.FailReason}");
                if (progress.SealedRows > 0 && progress.IndexedRows == progress.SealedRows)
                    break;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException("index build did not finish within 5 minutes");
                await Task.Delay(100);
            }
        }
        var first = await streaming.SearchAsync(requests[0], CancellationToken.None);
        if (first.Hits[0].Count != k)
            throw new InvalidOperationException($"expected {k} hits, got {first.Hits[0].Count}");

        var hop = await TimeAsync(queries, async q => await streaming.SearchAsync(requests[q], CancellationToken.None));
        var rest = await TimeAsync(queries, q => RestSearchBenchmark.PostAsync(http, "entities/search", bodies[q], allowError: false));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hop-search {transport,-9} {rows} x {dim} sealed, top-{k}, {queries} sequential: hop p50 {hop.P50:F3} ms p99 {hop.P99:F3} ms {hop.Qps:F0} QPS | rest p50 {rest.P50:F3} ms p99 {rest.P99:F3} ms {rest.Qps:F0} QPS"));
    }

    private static async Task<(double P50, double P99, double Qps)> TimeAsync(int queries, Func<int, Task> call)
    {
        for (int w = 0; w < Math.Min(200, queries); w++)
            await call(w);
        var latencies = new double[queries];
        var total = Stopwatch.StartNew();
        for (int q = 0; q < queries; q++)
        {
            long t = Stopwatch.GetTimestamp();
            await call(q);
            latencies[q] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        total.Stop();
        Array.Sort(latencies);
        return (latencies[queries / 2], latencies[Math.Min(queries - 1, queries * 99 / 100)], queries / total.Elapsed.TotalSeconds);
    }
}
