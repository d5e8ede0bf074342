// Drives VectorAspire through the official Milvus Node SDK's gRPC client (MilvusClient) for the whole workflow.
// Usage: node grpc-flow.mjs 127.0.0.1:PORT   — exits non-zero on the first failed expectation.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');

const address = process.argv[2];
const client = new MilvusClient({ address, telemetry: { enabled: false } });
const step = (name) => console.log(`step: ${name}`);
const ok = (res, what) => {
  const status = res.status ?? res;
  assert.equal(status.error_code, 'Success', `${what} failed: ${JSON.stringify(res)}`);
  return res;
};

const name = 'grpc_books';
step('version and health');
ok(await client.getVersion(), 'getVersion');
ok(await client.checkHealth(), 'checkHealth');

step('create with schema');
ok(await client.createCollection({
  collection_name: name,
  enable_dynamic_field: true,
  fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'vector', data_type: DataType.FloatVector, dim: 4 },
    { name: 'title', data_type: DataType.VarChar, max_length: 64 },
    { name: 'year', data_type: DataType.Int32 },
  ],
}), 'createCollection');
assert.equal(ok(await client.hasCollection({ collection_name: name }), 'has').value, true);
const shown = ok(await client.showCollections(), 'showCollections');
assert.ok(shown.data.some((c) => c.name === name), JSON.stringify(shown.data));
const described = ok(await client.describeCollection({ collection_name: name }), 'describe');
assert.equal(described.schema.fields.length, 4);

step('insert');
const rows = [];
for (let i = 1; i <= 20; i++) {
  rows.push({ id: i, vector: [i, i / 2, 0, 1], title: `book ${i}`, year: 1990 + i, genre: i % 2 ? 'fiction' : 'science' });
}
const inserted = ok(await client.insert({ collection_name: name, data: rows }), 'insert');
assert.equal(Number(inserted.insert_cnt), 20);

step('index and load');
ok(await client.createIndex({ collection_name: name, field_name: 'vector', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } }), 'createIndex');
ok(await client.loadCollection({ collection_name: name }), 'loadCollection');
const loadState = ok(await client.getLoadState({ collection_name: name }), 'getLoadState');
assert.equal(loadState.state, 'LoadStateLoaded');

step('search with filter, nq = 2');
const res = ok(await client.search({
  collection_name: name, data: [[3.1, 1.55, 0, 1], [20, 10, 0, 1]], limit: 2, filter: 'year > 1991', output_fields: ['title', 'genre'],
}), 'search');
assert.equal(res.results.length, 2, JSON.stringify(res.results));
assert.deepEqual(res.results[0].map((h) => Number(h.id)), [3, 4]);
assert.deepEqual(res.results[1].map((h) => Number(h.id)), [20, 19]);
assert.equal(res.results[0][0].title, 'book 3');
assert.equal(res.results[0][0].genre, 'fiction');
assert.ok(Math.abs(res.results[0][0].score - 0.0125) < 1e-4, `L2 distance expected, got ${res.results[0][0].score}`);

step('query, count, get');
const queried = ok(await client.query({ collection_name: name, filter: 'genre == "science" and id <= 6', output_fields: ['id', 'title'] }), 'query');
assert.deepEqual(queried.data.map((r) => Number(r.id)).sort((a, b) => a - b), [2, 4, 6]);
const count = ok(await client.count({ collection_name: name }), 'count');
assert.equal(Number(count.data), 20);
const got = ok(await client.get({ collection_name: name, ids: [5, 7], output_fields: ['title'] }), 'get');
assert.deepEqual(got.data.map((r) => r.title).sort(), ['book 5', 'book 7']);

step('upsert and delete');
ok(await client.upsert({ collection_name: name, data: [{ id: 5, vector: [5, 2.5, 0, 1], title: 'new five', year: 2000 }] }), 'upsert');
const five = ok(await client.get({ collection_name: name, ids: [5], output_fields: ['title'] }), 'get after upsert');
assert.equal(five.data[0].title, 'new five');
ok(await client.delete({ collection_name: name, filter: 'id in [1, 2]' }), 'delete');
assert.equal(Number(ok(await client.count({ collection_name: name }), 'count after delete').data), 18);

step('partitions');
ok(await client.createPartition({ collection_name: name, partition_name: 'recent' }), 'createPartition');
assert.equal(ok(await client.hasPartition({ collection_name: name, partition_name: 'recent' }), 'hasPartition').value, true);
const parts = ok(await client.showPartitions({ collection_name: name }), 'showPartitions');
assert.deepEqual(parts.partition_names, ['_default', 'recent']);
ok(await client.insert({ collection_name: name, partition_name: 'recent', data: [{ id: 100, vector: [0, 0, 9, 9], title: 'p', year: 2024 }] }), 'insert into partition');
const inPart = ok(await client.search({ collection_name: name, partition_names: ['recent'], data: [0, 0, 0, 0], limit: 5 }), 'search partition');
assert.deepEqual(inPart.results.map((h) => Number(h.id)), [100]);

step('aliases');
ok(await client.createAlias({ collection_name: name, alias: 'shelf' }), 'createAlias');
const aliases = ok(await client.listAliases({ collection_name: name }), 'listAliases');
assert.deepEqual(aliases.aliases, ['shelf']);
const viaAlias = ok(await client.get({ collection_name: 'shelf', ids: [3] }), 'get via alias');
assert.equal(viaAlias.data.length, 1);
ok(await client.dropAlias({ alias: 'shelf' }), 'dropAlias');

step('errors are Milvus statuses');
const missing = await client.describeCollection({ collection_name: 'no_such_collection' });
assert.notEqual(missing.status.error_code, 'Success');
assert.equal(missing.status.code, 100);

step('release and drop');
ok(await client.releaseCollection({ collection_name: name }), 'release');
const notLoaded = await client.search({ collection_name: name, data: [0, 0, 0, 0], limit: 1 });
assert.equal(notLoaded.status.code, 101, JSON.stringify(notLoaded.status));
ok(await client.dropCollection({ collection_name: name }), 'drop');
assert.equal(ok(await client.hasCollection({ collection_name: name }), 'has after drop').value, false);
await client.closeConnection();
console.log('GRPC FLOW OK');
