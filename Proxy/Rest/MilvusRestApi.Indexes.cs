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
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("indexName", index.IndexName);
            w.WriteString("fieldName", index.FieldName);
            w.WriteString("indexType", index.IndexType);
            w.WriteString("metricType", index.MetricType);
            // FLAT and AUTOINDEX search the raw vectors, so every row is served by the index as soon as it exists.
            w.WriteString("indexState", "Finished");
            w.WriteNumber("totalRows", rows);
            w.WriteNumber("indexedRows", rows);
            w.WriteNumber("pendingRows", 0);
            w.WriteString("failReason", "");
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
