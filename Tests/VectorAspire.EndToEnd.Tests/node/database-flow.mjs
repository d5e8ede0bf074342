// Drives VectorAspire's databases through the official Milvus Node SDK (MilvusClient over gRPC and HttpClient over REST):
// createDatabase, useDatabase (the SDK then sends dbname metadata), a collection per database under the same name,
// insert/search/count in each, db_name on a call overriding the client's database, listDatabases, dropDatabase.
// Usage: node database-flow.mjs 127.0.0.1:PORT   — exits non-zero on the first failed expectation.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MilvusClient, HttpClient, DataType } = require('@zilliz/milvus2-sdk-node');

const address = process.argv[2];
const client = new MilvusClient({ address, telemetry: { enabled: false } });
const step = (name) => console.log(`step: ${name}`);
const ok = (res, what) => {
  const status = res.status ?? res;
  assert.equal(status.error_code, 'Success', `${what} failed: ${JSON.stringify(res)}`);
  return res;
};

const db = 'sdk_tenant';
const name = 'shared_name';
const fields = (dim) => [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
  { name: 'vector', data_type: DataType.FloatVector, dim },
];
const rows = (from, n, dim) => Array.from({ length: n }, (_, k) => ({ id: from + k, vector: Array.from({ length: dim }, (_, d) => from + k + d) }));
const prepare = async (dim, from, n) => {
  ok(await client.createCollection({ collection_name: name, fields: fields(dim) }), 'createCollection');
  ok(await client.insert({ collection_name: name, data: rows(from, n, dim) }), 'insert');
  ok(await client.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }), 'createIndex');
  ok(await client.loadCollection({ collection_name: name }), 'loadCollection');
};

step('create database');
ok(await client.createDatabase({ db_name: db }), 'createDatabase');
const listed = ok(await client.listDatabases(), 'listDatabases');
assert.ok(listed.db_names.includes('default') && listed.db_names.includes(db), JSON.stringify(listed));
assert.equal(listed.db_ids.length, listed.db_names.length);
assert.equal(listed.created_timestamp.length, listed.db_names.length);
const described = ok(await client.describeDatabase({ db_name: db }), 'describeDatabase');
assert.equal(described.db_name, db);
assert.ok(Number(described.dbID) > 1, JSON.stringify(described));

step('same collection name in default and in the new database');
await prepare(4, 0, 5);
ok(await client.useDatabase({ db_name: db }), 'useDatabase');
await prepare(8, 100, 9);
assert.equal(Number(ok(await client.count({ collection_name: name }), 'count in db').data), 9);
const hits = ok(await client.search({ collection_name: name, data: [[104, 105, 106, 107, 108, 109, 110, 111]], limit: 1 }), 'search in db');
assert.equal(Number(hits.results[0].id), 104, JSON.stringify(hits.results));
const inDb = ok(await client.showCollections(), 'showCollections in db');
assert.deepEqual(inDb.data.map((c) => c.name), [name]);

step('db_name on a call overrides the database in use');
assert.equal(Number(ok(await client.count({ collection_name: name, db_name: 'default' }), 'count in default').data), 5);
const inDefault = ok(await client.describeCollection({ collection_name: name, db_name: 'default' }), 'describe in default');
assert.equal(inDefault.schema.fields.find((f) => f.name === 'vector').dim, '4');

step('REST sees the same databases');
const http = new HttpClient({ endpoint: `http://${address}`, database: db });
const restList = await http.listDatabases();
assert.equal(restList.code, 0, JSON.stringify(restList));
assert.ok(restList.data.includes(db));
const restCollections = await http.listCollections({ dbName: db });
assert.deepEqual(restCollections.data, [name]);

step('a non-empty database cannot be dropped');
const refused = await client.dropDatabase({ db_name: db });
assert.notEqual(refused.error_code, 'Success');
assert.match(refused.reason, /not empty/);

step('drop the collection, then the database');
ok(await client.dropCollection({ collection_name: name }), 'dropCollection in db');
ok(await client.dropDatabase({ db_name: db }), 'dropDatabase');
ok(await client.useDatabase({ db_name: 'default' }), 'useDatabase default');
assert.ok(!ok(await client.listDatabases(), 'listDatabases after drop').db_names.includes(db));
ok(await client.dropCollection({ collection_name: name }), 'dropCollection in default');

console.log('DATABASE FLOW OK');
await client.closeConnection();
