import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beijingDay, beijingMonth, overrideFromJson, resolveLimit } from './api-quota.ts';

const at = (iso: string) => Date.parse(iso) / 1000;

test('the Beijing day turns at 16:00 UTC', () => {
  assert.equal(beijingDay(at('2026-12-01T15:59:59Z')), beijingDay(at('2026-12-01T00:00:00Z')));
  assert.equal(beijingDay(at('2026-12-01T16:00:00Z')), beijingDay(at('2026-12-01T15:59:59Z')) + 1);
});

test('the Beijing month turns at 16:00 UTC on the last day of the UTC month', () => {
  assert.equal(beijingMonth(at('2026-11-30T15:59:59Z')), 2026 * 12 + 10);
  assert.equal(beijingMonth(at('2026-11-30T16:00:00Z')), 2026 * 12 + 11);
  assert.equal(beijingMonth(at('2026-12-31T16:00:00Z')), 2027 * 12 + 0);
});

test("limits: defaults, then the app's * override, then the path's own", () => {
  const path = '/cgi-bin/express/business/order/get';
  assert.deepEqual(resolveLimit(path, []), { daily_limit: 1_000_000, rate_limit: { call_count: 4_200_000, refresh_second: 60 } });
  assert.equal(resolveLimit('/cgi-bin/express/business/path/get', []).daily_limit, 500_000);
  const overrides = [
    { cgi_path: '*', daily_limit: 10, call_count: 3, refresh_second: null },
    { cgi_path: path, daily_limit: 20, call_count: null, refresh_second: 5 },
  ];
  assert.deepEqual(resolveLimit(path, overrides), { daily_limit: 20, rate_limit: { call_count: 3, refresh_second: 5 } });
  assert.deepEqual(resolveLimit('/cgi-bin/token', overrides), { daily_limit: 10, rate_limit: { call_count: 3, refresh_second: 60 } });
});

test('overrideFromJson refuses unknown paths and bad numbers', () => {
  assert.deepEqual(overrideFromJson({ cgi_path: '*', daily_limit: 0 }), {
    cgi_path: '*',
    daily_limit: 0,
    call_count: null,
    refresh_second: null,
  });
  assert.throws(() => overrideFromJson({ cgi_path: '/nope', daily_limit: 1 }), RangeError);
  assert.throws(() => overrideFromJson({ cgi_path: '*', daily_limit: 1.5 }), RangeError);
  assert.throws(() => overrideFromJson({ cgi_path: '*', rate_limit: { refresh_second: 0 } }), RangeError);
  assert.throws(() => overrideFromJson({ cgi_path: '*', daily_limit: '5' }), RangeError);
});
