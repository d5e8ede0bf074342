// Drives VectorAspire's authentication through the official Milvus Node SDK against a server started with --auth:
// wrong credentials fail promptly (gRPC and REST), root/Milvus works, users are created, used, changed and deleted.
// Usage: node auth-flow.mjs 127.0.0.1:PORT   — exits non-zero on the first failed expectation.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MilvusClient, HttpClient } = require('@zilliz/milvus2-sdk-node');

const address = process.argv[2];
const step = (name) => console.log(`step: ${name}`);
const connect = (username, password) => new MilvusClient({ address, username, password, telemetry: { enabled: false } });
const ok = (res, what) => {
  const status = res.status ?? res;
  assert.equal(status.error_code, 'Success', `${what} failed: ${JSON.stringify(res)}`);
  return res;
};
const rejected = async (client, what) => {
  // The constructor's Connect is refused too; its promise is awaited by every call, so observe it here.
  client.connectPromise?.catch(() => {});
  const started = Date.now();
  let error;
  try {
    await client.showCollections();
  } catch (e) {
    error = e;
  }
  const took = Date.now() - started;
  assert.ok(error, `${what}: showCollections should have failed`);
  assert.match(String(error.message ?? error), /auth check failure|UNAUTHENTICATED/, `${what}: ${error}`);
  assert.ok(took < 5000, `${what}: the failure took ${took} ms`);
  await client.closeConnection();
};

step('wrong and missing credentials fail promptly');
await rejected(connect('root', 'wrong'), 'wrong password');
await rejected(new MilvusClient({ address, telemetry: { enabled: false } }), 'no credentials');
const badHttp = new HttpClient({ endpoint: `http://${address}`, username: 'root', password: 'wrong' });
let httpError;
try {
  await badHttp.listCollections();
} catch (e) {
  httpError = e;
}
assert.ok(httpError, 'REST with a wrong password should fail');

step('root with the default password');
const root = connect('root', 'Milvus');
ok(await root.showCollections(), 'showCollections as root');
ok(await root.createUser({ username: 'alice', password: 'alice_pw1' }), 'createUser');
const users = ok(await root.listUsers(), 'listUsers');
assert.deepEqual([...users.usernames].sort(), ["alice", "root"], JSON.stringify(users));

step('the new user works over gRPC and REST');
const alice = connect('alice', 'alice_pw1');
ok(await alice.showCollections(), 'showCollections as alice');
const http = new HttpClient({ endpoint: `http://${address}`, username: 'alice', password: 'alice_pw1' });
assert.equal((await http.listCollections()).code, 0);

step('password change and delete');
const refused = await root.updateUser({ username: 'alice', oldPassword: 'not_it', newPassword: 'alice_pw2' });
assert.equal(refused.code, 1400, JSON.stringify(refused));
ok(await root.updateUser({ username: 'alice', oldPassword: 'alice_pw1', newPassword: 'alice_pw2' }), 'updateUser');
await rejected(connect('alice', 'alice_pw1'), 'old password');
const alice2 = connect('alice', 'alice_pw2');
ok(await alice2.showCollections(), 'showCollections with the new password');
await alice2.closeConnection();
ok(await root.deleteUser({ username: 'alice' }), 'deleteUser');
await rejected(connect('alice', 'alice_pw2'), 'deleted user');

await alice.closeConnection();
await root.closeConnection();
console.log('AUTH FLOW OK');
