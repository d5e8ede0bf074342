// Drives VectorAspire through the official Milvus Node SDK's REST v2 client (HttpClient) for the whole basic
// workflow. Usage: node rest-flow.mjs http://127.0.0.1:PORT   — exits non-zero on the first failed expectation.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { HttpClient } = require('@zilliz/milvus2-sdk-node');

const endpoint = process.argv[2];
const client = new HttpClient({ endpoint });
const step = (name) => console.log(`step: ${name}`);
const ok = (res, what) => {
  assert.equal(res.code, 0, `${what} failed: ${JSON.stringify(res)}`);
  return res.data;
};

const name = 'sdk_books';
step('create with schema');
ok(await client.createCollection({
  collectionName: name,
  schema: {
    autoId: false,
    enableDynamicField: true,
    fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
      { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 64 } },
      { fieldName: 'year', dataType: 'Int32' },
    ],
  },
  indexParams: [{ fieldName: 'vector', metricType: 'L2', indexName: 'vector', indexType: 'AUTOINDEX' }],
}), 'createCollection');
assert.equal(ok(await client.hasCollection({ collectionName: name }), 'has').has, true);
assert.ok(ok(await client.listCollections({}), 'list').includes(name));
const described = ok(await client.describeCollection({ collectionName: name }), 'describe');
assert.equal(described.fields.length, 4);
assert.equal(ok(await client.getCollectionLoadState({ collectionName: name }), 'loadState').loadState, 'LoadStateLoaded');

step('insert');
const rows = [];
for (let i = 1; i <= 20; i++) {
  rows.push({ id: i, vector: [i, i / 2, 0, 1], title: `book ${i}`, year: 1990 + i, genre: i % 2 ? 'fiction' : 'science' });
}
const inserted = ok(await client.insert({ collectionName: name, data: rows }), 'insert');
assert.equal(inserted.insertCount, 20);

step('search with filter and output fields');
const hits = ok(await client.search({
  collectionName: name, data: [[3.1, 1.55, 0, 1]], annsField: 'vector', limit: 3,
  outputFields: ['title', 'genre'], filter: 'year > 1991',
}), 'search');
assert.deepEqual(hits.map((h) => h.id), [3, 4, 2]);
assert.equal(hits[0].title, 'book 3');
assert.equal(hits[0].genre, 'fiction');
assert.ok(Math.abs(hits[0].distance - 0.0125) < 1e-4, `squared L2 distance expected, got ${hits[0].distance}`);

step('search nq > 1');
const multi = await client.search({ collectionName: name, data: [[1, 0.5, 0, 1], [20, 10, 0, 1]], limit: 2 });
ok(multi, 'search nq=2');
assert.equal(multi.data.length, 2, `the SDK groups results per query: ${JSON.stringify(multi.data)}`);
assert.deepEqual(multi.data[0].map((h) => h.id), [1, 2]);
assert.deepEqual(multi.data[1].map((h) => h.id), [20, 19]);

step('query, count, get');
const queried = ok(await client.query({ collectionName: name, filter: 'genre == "science" and id <= 6', outputFields: ['id', 'title'] }), 'query');
assert.deepEqual(queried.map((r) => r.id), [2, 4, 6]);
const count = ok(await client.query({ collectionName: name, filter: '', outputFields: ['count(*)'] }), 'count');
assert.equal(count[0]['count(*)'], 20);
const got = ok(await client.get({ collectionName: name, id: [5, 7], outputFields: ['title'] }), 'get');
assert.deepEqual(got.map((r) => r.title), ['book 5', 'book 7']);

step('upsert and delete');
ok(await client.upsert({ collectionName: name, data: [{ id: 5, vector: [5, 2.5, 0, 1], title: 'new five', year: 2000 }] }), 'upsert');
const five = ok(await client.get({ collectionName: name, id: [5], outputFields: ['title'] }), 'get after upsert');
assert.equal(five[0].title, 'new five');
const del = ok(await client.delete({ collectionName: name, filter: 'id in [1, 2]' }), 'delete');
assert.equal(del.deleteCount, 2);
const after = ok(await client.query({ collectionName: name, filter: '', outputFields: ['count(*)'] }), 'count after delete');
assert.equal(after[0]['count(*)'], 18);

step('partitions');
ok(await client.createPartition({ collectionName: name, partitionName: 'recent' }), 'createPartition');
assert.deepEqual(ok(await client.listPartitions({ collectionName: name }), 'listPartitions'), ['_default', 'recent']);
ok(await client.insert({ collectionName: name, partitionName: 'recent', data: [{ id: 100, vector: [0, 0, 9, 9], title: 'p', year: 2024 }] }), 'insert into partition');
ok(await client.loadPartitions({ collectionName: name, partitionNames: ['recent'] }), 'loadPartitions');
const inPart = ok(await client.search({ collectionName: name, partitionNames: ['recent'], data: [[0, 0, 0, 0]], limit: 5 }), 'search partition');
assert.deepEqual(inPart.map((h) => h.id), [100]);
assert.equal(ok(await client.getPartitionStatistics({ collectionName: name, partitionName: 'recent' }), 'partition stats').rowCount, 1);
assert.equal(ok(await client.hasPartition({ collectionName: name, partitionName: 'recent' }), 'hasPartition').has, true);

step('indexes');
assert.deepEqual(ok(await client.listIndexes({ collectionName: name }), 'listIndexes'), ['vector']);
const idx = ok(await client.describeIndex({ collectionName: name, indexName: 'vector' }), 'describeIndex');
assert.equal(idx[0].metricType, 'L2');

step('aliases');
ok(await client.createAlias({ collectionName: name, aliasName: 'shelf' }), 'createAlias');
assert.deepEqual(ok(await client.listAliases({}), 'listAliases'), ['shelf']);
assert.equal(ok(await client.describeAlias({ aliasName: 'shelf' }), 'describeAlias').collectionName, name);
const viaAlias = ok(await client.get({ collectionName: 'shelf', id: [3] }), 'get via alias');
assert.equal(viaAlias.length, 1);
ok(await client.dropAlias({ aliasName: 'shelf' }), 'dropAlias');

step('stats, flush, rename, release, drop');
assert.equal(ok(await client.getCollectionStatistics({ collectionName: name }), 'stats').rowCount, 22);
ok(await client.flushCollection({ collectionName: name }), 'flush');
ok(await client.renameCollection({ collectionName: name, newCollectionName: 'sdk_books2' }), 'rename');
ok(await client.releaseCollection({ collectionName: 'sdk_books2' }), 'release');
assert.equal(ok(await client.getCollectionLoadState({ collectionName: 'sdk_books2' }), 'loadState').loadState, 'LoadStateNotLoad');
const notLoaded = await client.search({ collectionName: 'sdk_books2', data: [[0, 0, 0, 0]], limit: 1 });
assert.equal(notLoaded.code, 101, `search on a released collection must fail with 101: ${JSON.stringify(notLoaded)}`);
ok(await client.dropCollection({ collectionName: 'sdk_books2' }), 'drop');
assert.equal(ok(await client.hasCollection({ collectionName: 'sdk_books2' }), 'has after drop').has, false);

step('quick setup');
ok(await client.createCollection({ collectionName: 'sdk_quick', dimension: 8 }), 'quick create');
const vec = [1, 2, 3, 4, 5, 6, 7, 8];
ok(await client.insert({ collectionName: 'sdk_quick', data: [{ id: 1, vector: vec, note: 'dynamic' }] }), 'quick insert');
const quickHits = ok(await client.search({ collectionName: 'sdk_quick', data: [vec], limit: 1, outputFields: ['note'] }), 'quick search');
assert.equal(quickHits[0].note, 'dynamic');
assert.ok(Math.abs(quickHits[0].distance - 1) < 1e-5, `COSINE of a vector with itself is 1, got ${quickHits[0].distance}`);
console.log('REST FLOW OK');
