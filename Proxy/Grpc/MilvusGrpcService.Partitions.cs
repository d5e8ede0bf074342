using System.Globalization;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Core.Time;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    private void RegisterPartitions(IGrpcMethodRegistry r)
    {
        MapStatus(r, "CreatePartition", CreatePartitionRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.CreatePartitionAsync(Db(req.DbName, ctx), Required(req.CollectionName, "collection_name"), Required(req.PartitionName, "partition_name"), ctx.CancellationToken));
        MapStatus(r, "DropPartition", DropPartitionRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.DropPartitionAsync(Db(req.DbName, ctx), Required(req.CollectionName, "collection_name"), Required(req.PartitionName, "partition_name"), ctx.CancellationToken));
        Map(r, "HasPartition", HasPartitionRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            return new BoolResponse { Status = Ok(), Value = info.FindPartition(Required(req.PartitionName, "partition_name")) is not null };
        }, (m, s) => m.Status = s);
        Map(r, "ShowPartitions", ShowPartitionsRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            var resp = new ShowPartitionsResponse { Status = Ok() };
            var wanted = req.PartitionNames.Count > 0 ? new HashSet<string>(req.PartitionNames, StringComparer.Ordinal) : null;
            foreach (var p in info.Partitions)
            {
                bool loaded = info.LoadedPartitionIds.Contains(p.PartitionId);
                if (wanted is not null && !wanted.Contains(p.Name))
                    continue;
                if (req.Type == ShowType.InMemory && !loaded)
                    continue;
                resp.PartitionNames.Add(p.Name);
                resp.PartitionIDs.Add(p.PartitionId);
                resp.CreatedTimestamps.Add(p.CreatedTimestamp);
                resp.CreatedUtcTimestamps.Add((ulong)HybridTimestamp.Physical(p.CreatedTimestamp));
                resp.InMemoryPercentages.Add(loaded ? 100 : 0);
            }
            return resp;
        }, (m, s) => m.Status = s);
        MapStatus(r, "LoadPartitions", LoadPartitionsRequest.Parser, (req, ctx) =>
        {
            if (req.PartitionNames.Count == 0)
                throw MilvusErrors.Missing("partition_names");
            return _proxy.Coordinator.LoadAsync(Db(req.DbName, ctx), Required(req.CollectionName, "collection_name"), [.. req.PartitionNames], ctx.CancellationToken);
        });
        MapStatus(r, "ReleasePartitions", ReleasePartitionsRequest.Parser, (req, ctx) =>
        {
            if (req.PartitionNames.Count == 0)
                throw MilvusErrors.Missing("partition_names");
            return _proxy.Coordinator.ReleaseAsync(Db(req.DbName, ctx), Required(req.CollectionName, "collection_name"), [.. req.PartitionNames], ctx.CancellationToken);
        });
        Map(r, "GetPartitionStatistics", GetPartitionStatisticsRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            string name = Required(req.PartitionName, "partition_name");
            var p = info.FindPartition(name) ?? throw MilvusErrors.PartitionNotFound(name);
            long rows = await _proxy.Streaming.CountRowsAsync(info.CollectionId, [p.PartitionId], ctx.CancellationToken);
            var resp = new GetPartitionStatisticsResponse { Status = Ok() };
            resp.Stats.Add(new PC.KeyValuePair { Key = "row_count", Value = rows.ToString(CultureInfo.InvariantCulture) });
            return resp;
        }, (m, s) => m.Status = s);
    }
}
