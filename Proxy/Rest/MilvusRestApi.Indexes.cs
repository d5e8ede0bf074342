using System.Text.Json;
using VectorAspire.Core.Errors;

namespace VectorAspire.Proxy.Rest;

public sealed partial class MilvusRestApi
{
    private void RegisterIndexes()
    {
        On("indexes/create", async (r, w, ct) =>
        {
            string collection = r.RequiredString("collectionName");
            if (r.Get("indexParams") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
                throw MilvusErrors.Missing("indexParams");
            foreach (var idx in list.EnumerateArray())
                await _proxy.Coordinator.CreateIndexAsync(r.Db, collection, ParseIndex(idx), ct);
            WriteEmpty(w);
        });
        On("indexes/list", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            w.WriteStartArray("data");
            foreach (var i in info.Indexes)
                w.WriteStringValue(i.IndexName);
            w.WriteEndArray();
        });
        On("indexes/describe", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            string name = r.RequiredString("indexName");
            var index = info.Indexes.FirstOrDefault(i => i.IndexName == name)
                ?? throw new MilvusException(ErrorCodes.IndexNotFound, $"index not found[indexName={name}] in collection '{info.Name}'");
            long rows = await _proxy.Streaming.CountRowsAsync(info.CollectionId, null, ct);
            // Built per sealed segment in the background; growing rows are searched exactly and count as pending
            // only until their segment seals. FLAT needs no build: every row is served as soon as it exists.
            var progress = await _proxy.Coordinator.GetIndexProgressAsync(info.CollectionId, index.IndexName, ct);
            long pending = progress.SealedRows - progress.IndexedRows;
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("indexName", index.IndexName);
            w.WriteString("fieldName", index.FieldName);
            w.WriteString("indexType", index.IndexType);
            w.WriteString("metricType", index.MetricType);
            w.WriteString("indexState", progress.FailReason is not null ? "Failed" : pending > 0 ? "InProgress" : "Finished");
            w.WriteNumber("totalRows", rows);
            w.WriteNumber("indexedRows", rows - pending);
            w.WriteNumber("pendingRows", pending);
            w.WriteString("failReason", progress.FailReason ?? "");
            w.WriteStartArray("indexParams");
            foreach (var (k, v) in index.Params)
                WriteKv(w, k, v);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        On("indexes/drop", async (r, w, ct) =>
        {
            await _proxy.Coordinator.DropIndexAsync(r.Db, r.RequiredString("collectionName"), r.RequiredString("indexName"), ct);
            WriteEmpty(w);
        });
    }
}
