using System.Globalization;
using Google.Protobuf;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Time;
using VectorAspire.Protos.Milvus;
using CoreCreate = VectorAspire.Core.Contracts.CreateCollectionRequest;
using PC = VectorAspire.Protos.Common;
using PS = VectorAspire.Protos.Schema;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    private void RegisterCollections(IGrpcMethodRegistry r)
    {
        MapStatus(r, "CreateCollection", CreateCollectionRequest.Parser, CreateCollectionAsync);
        Map(r, "DescribeCollection", DescribeCollectionRequest.Parser, DescribeCollectionAsync, (m, s) => m.Status = s);
        Map(r, "HasCollection", HasCollectionRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.Coordinator.FindCollectionAsync(Db(req.DbName, ctx), Required(req.CollectionName, "collection_name"), ctx.CancellationToken);
            return new BoolResponse { Status = Ok(), Value = info is not null };
        }, (m, s) => m.Status = s);
        Map(r, "ShowCollections", ShowCollectionsRequest.Parser, ShowCollectionsAsync, (m, s) => m.Status = s);
        MapStatus(r, "DropCollection", DropCollectionRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.DropCollectionAsync(Db(req.DbName, ctx), Required(req.CollectionName, "collection_name"), ctx.CancellationToken));
        MapStatus(r, "RenameCollection", RenameCollectionRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.RenameCollectionAsync(Db(req.DbName, ctx), Required(req.OldName, "oldName"), Required(req.NewName, "newName"),
                string.IsNullOrEmpty(req.NewDBName) ? null : req.NewDBName, ctx.CancellationToken));
        MapStatus(r, "AlterCollection", AlterCollectionRequest.Parser, async (req, ctx) =>
        {
            await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            if (req.Properties.Count > 0 || req.DeleteKeys.Count > 0)
            {
                var keys = req.Properties.Select(p => p.Key).Concat(req.DeleteKeys);
                throw new MilvusException(ErrorCodes.ServiceUnimplemented, $"altering collection properties ({string.Join(", ", keys)}) is not supported by VectorAspire yet");
            }
        });
        Map(r, "GetCollectionStatistics", GetCollectionStatisticsRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            long rows = await _proxy.Streaming.CountRowsAsync(info.CollectionId, null, ctx.CancellationToken);
            var resp = new GetCollectionStatisticsResponse { Status = Ok() };
            resp.Stats.Add(new PC.KeyValuePair { Key = "row_count", Value = rows.ToString(CultureInfo.InvariantCulture) });
            return resp;
        }, (m, s) => m.Status = s);
        MapStatus(r, "LoadCollection", LoadCollectionRequest.Parser, async (req, ctx) =>
        {
            string db = Db(req.DbName, ctx);
            var info = await _proxy.RequireCollectionAsync(db, req.CollectionName, ctx.CancellationToken);
            await _proxy.Coordinator.LoadAsync(db, info.Name, null, ctx.CancellationToken);
        });
        MapStatus(r, "ReleaseCollection", ReleaseCollectionRequest.Parser, async (req, ctx) =>
        {
            string db = Db(req.DbName, ctx);
            var info = await _proxy.RequireCollectionAsync(db, req.CollectionName, ctx.CancellationToken);
            await _proxy.Coordinator.ReleaseAsync(db, info.Name, null, ctx.CancellationToken);
        });
        Map(r, "GetLoadState", GetLoadStateRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            bool loaded = IsLoaded(info, req.PartitionNames);
            return new GetLoadStateResponse { Status = Ok(), State = loaded ? PC.LoadState.Loaded : PC.LoadState.NotLoad };
        }, (m, s) => m.Status = s);
        Map(r, "GetLoadingProgress", GetLoadingProgressRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            if (!IsLoaded(info, req.PartitionNames))
                throw MilvusErrors.CollectionNotLoaded(info.Name);
            // Load completes before LoadCollection answers, so a loaded collection is always fully loaded.
            return new GetLoadingProgressResponse { Status = Ok(), Progress = 100, RefreshProgress = 100 };
        }, (m, s) => m.Status = s);
    }

    private static bool IsLoaded(CollectionInfo info, IReadOnlyList<string> partitions)
    {
        bool loaded = info.IsLoaded;
        foreach (var p in partitions)
        {
            var part = info.FindPartition(p) ?? throw MilvusErrors.PartitionNotFound(p);
            loaded &= info.LoadedPartitionIds.Contains(part.PartitionId);
        }
        return loaded;
    }

    private async ValueTask CreateCollectionAsync(CreateCollectionRequest req, GrpcCallContext ctx)
    {
        string name = Required(req.CollectionName, "collection_name");
        SchemaValidator.ValidateName(name, "collection");
        if (req.Schema.IsEmpty)
            throw MilvusErrors.Missing("schema");
        PS.CollectionSchema proto;
        try
        {
            proto = PS.CollectionSchema.Parser.ParseFrom(req.Schema);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"the schema is not a valid serialized CollectionSchema: {ex.Message}", ex);
        }
        if (!string.IsNullOrEmpty(proto.Name) && proto.Name != name)
            throw MilvusErrors.Invalid($"the schema name '{proto.Name}' differs from the collection name '{name}'");
        var schema = SchemaConverter.FromProto(proto, name);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in req.Properties)
        {
            // Properties the engine does not act on are refused rather than silently stored.
            throw new MilvusException(ErrorCodes.ServiceUnimplemented, $"collection property '{kv.Key}' is not supported yet");
        }
        if (schema.Fields.All(f => !f.IsPartitionKey) && req.NumPartitions > 0)
            throw MilvusErrors.Invalid("num_partitions is only allowed when the schema has a partition key field");
        await _proxy.Coordinator.CreateCollectionAsync(new CoreCreate
        {
            DbName = Db(req.DbName, ctx),
            Schema = schema,
            ShardsNum = req.ShardsNum <= 0 ? 1 : req.ShardsNum,
            NumPartitions = checked((int)req.NumPartitions),
            ConsistencyLevel = (ConsistencyLevel)(int)req.ConsistencyLevel,
            Properties = properties,
        }, ctx.CancellationToken);
    }

    private async ValueTask<DescribeCollectionResponse> DescribeCollectionAsync(DescribeCollectionRequest req, GrpcCallContext ctx)
    {
        string db = Db(req.DbName, ctx);
        CollectionInfo info;
        if (string.IsNullOrEmpty(req.CollectionName) && req.CollectionID != 0)
            info = await _proxy.Coordinator.GetCollectionAsync(req.CollectionID, ctx.CancellationToken)
                ?? throw MilvusErrors.CollectionNotFound(req.CollectionID.ToString(CultureInfo.InvariantCulture));
        else
            info = await _proxy.RequireCollectionAsync(db, req.CollectionName, ctx.CancellationToken);
        var aliases = await _proxy.Coordinator.ListAliasesAsync(info.DbName, info.Name, ctx.CancellationToken);
        var database = await _proxy.Coordinator.FindDatabaseAsync(info.DbName, ctx.CancellationToken);
        var resp = new DescribeCollectionResponse
        {
            Status = Ok(),
            Schema = SchemaConverter.ToProto(info),
            CollectionID = info.CollectionId,
            CreatedTimestamp = info.CreatedTimestamp,
            CreatedUtcTimestamp = (ulong)HybridTimestamp.Physical(info.CreatedTimestamp),
            ShardsNum = info.ShardsNum,
            ConsistencyLevel = (PC.ConsistencyLevel)(int)info.ConsistencyLevel,
            CollectionName = info.Name,
            DbName = info.DbName,
            NumPartitions = info.Partitions.Count,
            DbId = database?.DbId ?? 0,
            UpdateTimestamp = info.CreatedTimestamp,
        };
        resp.VirtualChannelNames.Add(info.VChannels);
        resp.PhysicalChannelNames.Add(info.PChannels);
        foreach (var a in aliases)
            resp.Aliases.Add(a.Alias);
        foreach (var (k, v) in info.Properties)
            resp.Properties.Add(new PC.KeyValuePair { Key = k, Value = v });
        return resp;
    }

    private async ValueTask<ShowCollectionsResponse> ShowCollectionsAsync(ShowCollectionsRequest req, GrpcCallContext ctx)
    {
        var list = await _proxy.Coordinator.ListCollectionsAsync(Db(req.DbName, ctx), ctx.CancellationToken);
        var resp = new ShowCollectionsResponse { Status = Ok() };
        var wanted = req.CollectionNames.Count > 0 ? new HashSet<string>(req.CollectionNames, StringComparer.Ordinal) : null;
        foreach (var c in list)
        {
            if (wanted is not null && !wanted.Contains(c.Name))
                continue;
            if (req.Type == ShowType.InMemory && !c.IsLoaded)
                continue;
            resp.CollectionNames.Add(c.Name);
            resp.CollectionIds.Add(c.CollectionId);
            resp.CreatedTimestamps.Add(c.CreatedTimestamp);
            resp.CreatedUtcTimestamps.Add((ulong)HybridTimestamp.Physical(c.CreatedTimestamp));
            resp.InMemoryPercentages.Add(c.IsLoaded ? 100 : 0);
            resp.QueryServiceAvailable.Add(c.IsLoaded);
            resp.ShardsNum.Add(c.ShardsNum);
        }
        if (wanted is not null)
        {
            foreach (var n in wanted)
            {
                if (!list.Any(c => c.Name == n))
                    throw MilvusErrors.CollectionNotFound(n);
            }
        }
        return resp;
    }
}
