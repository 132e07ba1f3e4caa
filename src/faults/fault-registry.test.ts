import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultRegistry } from './fault-registry.ts';
import { FaultRuleError, parseFaultRule } from './fault-rule.ts';
import { seededRandom } from './seeded-random.ts';

const call = (api: string, body: Record<string, unknown> = {}, appid = 'wxa') => ({ api, appid, body });

test('a rule with times fires for the next N matching calls, then stays listed as exhausted', () => {
  const r = new FaultRegistry();
  const added = r.add({ api: 'getOrder', errcode: -1, times: 2 });
  assert.equal(added.id, 1);
  assert.equal(r.size, 1);
  assert.equal(r.match(call('addOrder')), undefined, 'another API');
  assert.equal(r.match(call('getOrder'))?.id, 1);
  assert.equal(r.match(call('getOrder'))?.id, 1);
  assert.equal(r.match(call('getOrder')), undefined);
  assert.deepEqual(
    r.list().map(({ id, hits, remaining }) => ({ id, hits, remaining })),
    [{ id: 1, hits: 2, remaining: 0 }],
  );
});

test("'*' matches every business API but not the token endpoints nor pushes", () => {
  const r = new FaultRegistry();
  r.add({ api: '*', errcode: 45009 });
  assert.ok(r.match(call('getAllDelivery')));
  assert.ok(r.match(call('testUpdateOrder')));
  assert.equal(r.match(call('getAccessToken')), undefined);
  assert.equal(r.matchPush({ appid: 'wxa', event: 'add_express_path', order_id: 'o', delivery_id: 'TEST' }), undefined);
  r.add({ api: 'getAccessToken', errcode: -1 });
  assert.ok(r.match(call('getAccessToken')));
});

test('appid, order_id and delivery_id narrow a rule; batchGetOrder matches any entry of order_list', () => {
  const r = new FaultRegistry();
  r.add({ api: '*', appid: 'wxb', order_id: 'o-1', delivery_id: 'SF', errcode: -1 });
  assert.equal(r.match(call('getOrder', { order_id: 'o-1', delivery_id: 'SF' })), undefined, 'other app');
  assert.equal(r.match(call('getOrder', { order_id: 'o-2', delivery_id: 'SF' }, 'wxb')), undefined, 'other order');
  assert.equal(r.match(call('getOrder', { order_id: 'o-1', delivery_id: 'YTO' }, 'wxb')), undefined, 'other carrier');
  assert.ok(r.match(call('getOrder', { order_id: 'o-1', delivery_id: 'SF' }, 'wxb')));
  assert.ok(
    r.match(
      call(
        'batchGetOrder',
        {
          order_list: [
            { order_id: 'x', delivery_id: 'SF' },
            { order_id: 'o-1', delivery_id: 'SF' },
          ],
        },
        'wxb',
      ),
    ),
  );
  assert.equal(r.match(call('batchGetOrder', { order_list: [{ order_id: 'x', delivery_id: 'SF' }] }, 'wxb')), undefined);
});

test('probability with a seed fires on the calls its draws predict, the same for the same seed', () => {
  const pattern = (seed: string) => {
    const r = new FaultRegistry();
    r.add({ api: 'getPath', errcode: -1, probability: 0.3, seed });
    return Array.from({ length: 40 }, () => (r.match(call('getPath')) ? 1 : 0));
  };
  const draws = seededRandom('abc');
  const expected = Array.from({ length: 40 }, () => (draws() < 0.3 ? 1 : 0));
  assert.deepEqual(pattern('abc'), expected);
  assert.deepEqual(pattern('abc'), pattern('abc'));
  assert.notDeepEqual(pattern('abc'), pattern('abd'));
  const fired = expected.reduce((a: number, b) => a + b, 0);
  assert.ok(fired > 3 && fired < 25, `about 30 % of 40, got ${fired}`);
});

test('a probability rule without a seed gets a random one, listed, that replays the same calls', () => {
  const r = new FaultRegistry();
  const added = r.add({ api: 'getPath', errcode: -1, probability: 0.5 });
  assert.equal(typeof added.seed, 'string');
  const again = new FaultRegistry();
  again.add({ api: 'getPath', errcode: -1, probability: 0.5, seed: added.seed! });
  const fired = (reg: FaultRegistry) => Array.from({ length: 30 }, () => (reg.match(call('getPath')) ? 1 : 0));
  assert.deepEqual(fired(r), fired(again));
  assert.equal(new FaultRegistry().add({ api: 'getPath', errcode: -1 }).seed, undefined, 'no probability, no seed');
});

test('probability and times together: draws until N have fired; matched counts the draws', () => {
  const r = new FaultRegistry();
  r.add({ api: 'getPath', errcode: -1, probability: 0.5, seed: 7, times: 3 });
  let fired = 0;
  for (let i = 0; i < 100; i++) if (r.match(call('getPath'))) fired++;
  assert.equal(fired, 3);
  const [rule] = r.list();
  assert.equal(rule?.hits, 3);
  assert.ok((rule?.matched ?? 0) >= 3 && (rule?.matched ?? 0) < 100);
});

test('rules are tried in order; remove and clear; ids are never reused', () => {
  const r = new FaultRegistry();
  const a = r.add({ api: 'getOrder', errcode: -1, times: 1 });
  const b = r.add({ api: 'getOrder', errcode: 45009 });
  assert.equal(r.match(call('getOrder'))?.id, a.id);
  assert.equal(r.match(call('getOrder'))?.id, b.id);
  assert.equal(r.remove(b.id), true);
  assert.equal(r.remove(b.id), false);
  r.clear();
  assert.equal(r.size, 0);
  assert.equal(r.add({ api: 'getOrder', delay_ms: 10 }).id, 3);
});

test('push rules match event, order and carrier, and only pushes', () => {
  const r = new FaultRegistry();
  r.add({ api: 'push', event: 'add_express_path', order_id: 'o-1', push: 'drop', times: 1 });
  r.add({ api: 'push', delay_ms: 500 });
  assert.equal(r.pushRules, 2);
  assert.equal(r.maxPushDelayMs(), 500);
  assert.equal(r.match(call('getOrder')), undefined);
  assert.equal(r.matchPush({ appid: 'a', event: 'add_express_path', order_id: 'o-1', delivery_id: 'TEST' })?.push, 'drop');
  assert.equal(r.matchPush({ appid: 'a', event: 'add_express_path', order_id: 'o-1', delivery_id: 'TEST' })?.delay_ms, 500);
});

test('invalid rules are refused with a message naming the field', () => {
  const refused: [unknown, RegExp][] = [
    [null, /JSON object/],
    [{ api: 'nope', errcode: -1 }, /api must be/],
    [{ api: 'getOrder' }, /needs an effect/],
    [{ api: 'getOrder', errcode: -1, connection: 'reset' }, /two effects/],
    [{ api: 'getOrder', errcode: 0 }, /non-zero/],
    [{ api: 'getOrder', errcode: 123456 }, /not in the errcode table.*errmsg/],
    [{ api: 'getOrder', errcode: '-1' }, /errcode must be an integer/],
    [{ api: 'getOrder', errcode: -1, times: 0 }, /times must be an integer/],
    [{ api: 'getOrder', errcode: -1, probability: 2 }, /probability/],
    [{ api: 'getOrder', errcode: -1, seed: 's' }, /seed needs probability/],
    [{ api: 'getOrder', connection: 'close' }, /connection must be one of reset, hang/],
    [{ api: 'getOrder', connection: 'hang', delay_ms: 5 }, /hang/],
    [{ api: 'getOrder', delay_ms: -1 }, /delay_ms/],
    [{ api: 'getOrder', delay_ms: 10, errmsg: 'x' }, /errmsg goes with errcode/],
    [{ api: 'getOrder', errcode: -1, colour: 'red' }, /unknown field colour/],
    [{ api: 'getOrder', push: 'drop' }, /push is an effect of api: 'push'/],
    [{ api: 'push', errcode: -1 }, /not a push effect/],
    [{ api: 'push' }, /needs push/],
    [{ api: 'push', push: 'drop', delay_ms: 5 }, /drop/],
    [{ api: 'getAccessToken', order_id: 'x', errcode: -1 }, /token endpoints/],
  ];
  for (const [input, message] of refused) {
    assert.throws(
      () => parseFaultRule(input),
      (e: unknown) => e instanceof FaultRuleError && message.test(e.message),
      JSON.stringify(input),
    );
  }
  assert.deepEqual(parseFaultRule({ api: 'getOrder', errcode: 123456, errmsg: 'custom' }), {
    api: 'getOrder',
    errcode: 123456,
    errmsg: 'custom',
  });
});
