/** An EMS binding is reviewed later and its result pushed as update_business_bind_result. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, startReceiver } from './support/receiver.ts';
import { PATHS, startTestServer, testOrder } from './support/test-server.ts';

test('EMS bind answers ok, stays in review, then the result is pushed and the account works', async () => {
  const s = await startTestServer({ push: { pollMs: 50 } });
  const r = await startReceiver(answer('success'));
  try {
    await s.app.core.push.set(s.appid, { url: r.url, token: 'bindToken', mode: 'plain', format: 'xml' });
    const bind = await s.post(PATHS.bindAccount, {
      type: 'bind',
      biz_id: 'ems-1',
      delivery_id: 'EMS',
      password: 'pw',
      remark_content: '电话：020-1234 联系人：张三 服务类型：标准快递 发货地址：广州',
    });
    assert.deepEqual(bind.json, { errcode: 0, errmsg: 'ok' });
    await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'ems-2', delivery_id: 'EMS', password: 'pw' });
    const status = async (token?: string) =>
      Object.fromEntries(
        (await s.get(PATHS.getAllAccount, token)).json.list.map((a: any) => [a.biz_id, [a.status_code, a.remark_wrong_msg]]),
      );
    assert.deepEqual((await status())['ems-1'], [1, '']);
    const ems = testOrder('ems-order', { delivery_id: 'EMS', biz_id: 'ems-1', service: { service_type: 6, service_name: '标准快递' } });
    assert.equal((await s.post(PATHS.addOrder, ems)).json.errcode, 9300525, 'not usable while in review');

    await s.app.advanceClock(61);
    const pushes = await r.waitFor(2);
    const results = pushes.map((p) => p.body).sort();
    assert.ok(results.every((b) => b.includes('<Event><![CDATA[update_business_bind_result]]></Event>')));
    const approved = results.find((b) => b.includes('ems-1'))!;
    assert.match(
      approved,
      /<errcode>0<\/errcode><errmsg><!\[CDATA\[ok\]\]><\/errmsg><delivery_id><!\[CDATA\[EMS\]\]><\/delivery_id><biz_id><!\[CDATA\[ems-1\]\]><\/biz_id>/,
    );
    assert.match(
      results.find((b) => b.includes('ems-2'))!,
      /<errcode>930561<\/errcode>/,
    );

    const token = await s.token();
    const after = await status(token);
    assert.equal(after['ems-1'][0], 0);
    assert.equal(after['ems-2'][0], 2);
    assert.match(after['ems-2'][1], /审核不通过/);
    const placed = await s.post(PATHS.addOrder, ems, token);
    assert.equal(placed.json.errcode, 0);
    assert.deepEqual(placed.json.waybill_data, [], 'EMS has no waybill_data');
  } finally {
    await s.close();
    await r.close();
  }
});
