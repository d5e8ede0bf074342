// Round-trip latency through the official Node SDK (gRPC): N sequential describeCollection calls and N sequential
// 10-row searches. Usage: node bench-grpc.mjs HOST:PORT [N=2000]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
const client = new MilvusClient({ address: process.argv[2], telemetry: { enabled: false } });
const n = Number(process.argv[3] ?? 2000);
const name = `bench_latency_${process.pid}`;

await client.createCollection({
  collection_name: name,
  fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
  ],
});
const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, vector: Array.from({ length: 8 }, () => Math.random()) }));
await client.insert({ collection_name: name, data: rows });
await client.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' });
await client.loadCollection({ collection_name: name });

async function measure(label, call) {
  for (let i = 0; i < 200; i++) await call();
  const t = [];
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint();
    await call();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  console.log(`${label}: n=${n} mean ${mean.toFixed(3)} ms, p50 ${t[n >> 1].toFixed(3)} ms, p99 ${t[Math.floor(n * 0.99)].toFixed(3)} ms`);
}
await measure('describeCollection', () => client.describeCollection({ collection_name: name }));
const q = Array.from({ length: 8 }, () => Math.random());
await measure('search limit=10', () => client.search({ collection_name: name, data: q, limit: 10 }));
await client.dropCollection({ collection_name: name });
await client.closeConnection();
