using VectorAspire.Core.Errors;

namespace VectorAspire.Proxy.Rest;

public sealed partial class MilvusRestApi
{
    private void RegisterPartitions()
    {
        On("partitions/create", async (r, w, ct) =>
        {
            await _proxy.Coordinator.CreatePartitionAsync(r.Db, r.RequiredString("collectionName"), r.RequiredString("partitionName"), ct);
            WriteEmpty(w);
        });
        On("partitions/list", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            w.WriteStartArray("data");
            foreach (var p in info.Partitions)
                w.WriteStringValue(p.Name);
            w.WriteEndArray();
        });
        On("partitions/has", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            w.WriteStartObject("data");
            w.WriteBoolean("has", info.FindPartition(r.RequiredString("partitionName")) is not null);
            w.WriteEndObject();
        });
        On("partitions/drop", async (r, w, ct) =>
        {
            await _proxy.Coordinator.DropPartitionAsync(r.Db, r.RequiredString("collectionName"), r.RequiredString("partitionName"), ct);
            WriteEmpty(w);
        });
        On("partitions/load", async (r, w, ct) =>
        {
            var names = r.OptStringList("partitionNames");
            if (names is null || names.Count == 0)
                throw MilvusErrors.Missing("partitionNames");
            await _proxy.Coordinator.LoadAsync(r.Db, r.RequiredString("collectionName"), names, ct);
            WriteEmpty(w);
        });
        On("partitions/release", async (r, w, ct) =>
        {
            var names = r.OptStringList("partitionNames");
            if (names is null || names.Count == 0)
                throw MilvusErrors.Missing("partitionNames");
            await _proxy.Coordinator.ReleaseAsync(r.Db, r.RequiredString("collectionName"), names, ct);
            WriteEmpty(w);
        });
        On("partitions/get_stats", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            string name = r.RequiredString("partitionName");
            var p = info.FindPartition(name) ?? throw MilvusErrors.PartitionNotFound(name);
            long rows = await _proxy.Streaming.CountRowsAsync(info.CollectionId, [p.PartitionId], ct);
            w.WriteStartObject("data");
            w.WriteNumber("rowCount", rows);
            w.WriteEndObject();
        });
    }
}
