using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Core.Time;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    /// <summary>The Milvus version we report (the API level the official SDKs are tested against).</summary>
    public const string ReportedVersion = "v2.6.0";

    private static long s_nextIdentifier = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void RegisterMisc(IGrpcMethodRegistry r)
    {
        Map(r, "Connect", ConnectRequest.Parser, (req, ctx) =>
        {
            var resp = new ConnectResponse
            {
                Status = Ok(),
                Identifier = Interlocked.Increment(ref s_nextIdentifier),
                ServerInfo = new PC.ServerInfo
                {
                    BuildTags = ReportedVersion,
                    BuildTime = "",
                    GitCommit = "",
                    GoVersion = "",
                    DeployMode = "STANDALONE",
                },
            };
            resp.ServerInfo.Reserved["server"] = "VectorAspire";
            return ValueTask.FromResult(resp);
        }, (m, s) => m.Status = s);
        Map(r, "GetVersion", GetVersionRequest.Parser, (_, _) => ValueTask.FromResult(new GetVersionResponse { Status = Ok(), Version = ReportedVersion }), (m, s) => m.Status = s);
        Map(r, "CheckHealth", CheckHealthRequest.Parser, (_, _) => ValueTask.FromResult(new CheckHealthResponse { Status = Ok(), IsHealthy = true }), (m, s) => m.Status = s);
        Map(r, "GetComponentStates", GetComponentStatesRequest.Parser, (_, _) => ValueTask.FromResult(new ComponentStates
        {
            Status = Ok(),
            State = new ComponentInfo { NodeID = 1, Role = "Proxy", StateCode = PC.StateCode.Healthy },
        }), (m, s) => m.Status = s);
        Map(r, "AllocTimestamp", AllocTimestampRequest.Parser, async (_, ctx) =>
            new AllocTimestampResponse { Status = Ok(), Timestamp = await _proxy.Coordinator.AllocateTimestampAsync(1, ctx.CancellationToken) },
            (m, s) => m.Status = s);
        RegisterDatabases(r);
        Map(r, "Flush", FlushRequest.Parser, async (req, ctx) =>
        {
            var ct = ctx.CancellationToken;
            string db = Db(req.DbName, ctx);
            var resp = new FlushResponse { Status = Ok(), DbName = db };
            foreach (var name in req.CollectionNames)
            {
                var info = await _proxy.RequireCollectionAsync(db, name, ct);
                await _proxy.Streaming.FlushAsync(info.CollectionId, ct);
                ulong ts = await _proxy.Coordinator.AllocateTimestampAsync(1, ct);
                resp.CollSegIDs[name] = new Protos.Schema.LongArray();
                resp.FlushCollSegIDs[name] = new Protos.Schema.LongArray();
                resp.CollSealTimes[name] = HybridTimestamp.Physical(ts) / 1000;
                resp.CollFlushTs[name] = ts;
            }
            return resp;
        }, (m, s) => m.Status = s);
        // Flush is synchronous here: once it answered, everything it covered is persisted.
        Map(r, "GetFlushState", GetFlushStateRequest.Parser, async (req, ctx) =>
        {
            if (!string.IsNullOrEmpty(req.CollectionName))
                await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            return new GetFlushStateResponse { Status = Ok(), Flushed = true };
        }, (m, s) => m.Status = s);
    }
}
