/**
 * Fault rules belong to one server process: two instances on one PostgreSQL
 * schema share orders and tokens, not rules. A rule added on one instance
 * changes only the calls that instance answers; a write it refused is not
 * seen by the other either (nothing was written).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const BASE_URL = process.env.WXL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `wxl_faults_${process.pid}_${randomBytes(3).toString('hex')}`;

let a: TestServer;
let b: TestServer;
before(async () => {
  a = await startTestServer({ storeUrl: `${BASE_URL}?schema=${SCHEMA}` });
  b = await startTestServer({ storeUrl: `${BASE_URL}?schema=${SCHEMA}` });
});
after(async () => {
  await a?.close();
  await b?.close();
  const db = new pg.Pool({ connectionString: BASE_URL });
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await db.end();
});

test('a rule added on one instance changes only the calls that instance answers', async () => {
  const token = await a.token();
  a.app.faults.add({ api: 'addOrder', errcode: 9300501, times: 1 });
  const refused = await a.post(PATHS.addOrder, testOrder('pi-1'), token);
  assert.equal(refused.json.errcode, 9300501);
  assert.equal((await b.post(PATHS.getOrder, { order_id: 'pi-1', delivery_id: 'TEST' }, token)).json.errcode, 930563, 'nothing written');

  a.app.faults.add({ api: 'getOrder', errcode: -1 });
  assert.equal((await b.post(PATHS.addOrder, testOrder('pi-1'), token)).json.errcode, 0, 'the other instance has no rules');
  assert.equal((await a.post(PATHS.getOrder, { order_id: 'pi-1', delivery_id: 'TEST' }, token)).json.errcode, -1);
  assert.equal((await b.post(PATHS.getOrder, { order_id: 'pi-1', delivery_id: 'TEST' }, token)).json.errcode, 0);
  assert.equal(b.app.faults.size, 0);
});
