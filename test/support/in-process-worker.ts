/**
 * A worker thread with a wxlogistics server of its own (test/in-process.test.ts):
 * starts one, adds an order, posts {baseUrl, appid, secret, waybill_id}, and
 * stops when the parent sends 'stop'.
 */
import { parentPort } from 'node:worker_threads';
import { startWxLogistics } from '../../src/index.ts';
import { PATHS, testOrder } from './test-server.ts';

const wx = await startWxLogistics({ apps: [{ appid: 'wxworkerthread001', secret: 'worker-secret' }] });
const { access_token } = (await (
  await fetch(`${wx.baseUrl}/cgi-bin/token?grant_type=client_credential&appid=${wx.app.appid}&secret=${wx.app.secret}`)
).json()) as { access_token: string };
const added = (await (
  await fetch(`${wx.baseUrl}${PATHS.addOrder}?access_token=${access_token}`, {
    method: 'POST',
    body: JSON.stringify(testOrder('in-worker-1')),
  })
).json()) as { waybill_id: string };
await wx.clock.advance(3600);
parentPort!.postMessage({
  baseUrl: wx.baseUrl,
  appid: wx.app.appid,
  secret: wx.app.secret,
  waybill_id: added.waybill_id,
  now: wx.clock.now(),
});
parentPort!.once('message', () => {
  void wx.stop().then(() => parentPort!.close());
});
