import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carriers } from './carriers.ts';
import { waybillNumber, waybillSequence } from './waybill.ts';

test('waybillSequence inverts waybillNumber for every carrier', () => {
  for (const carrier of carriers) {
    for (const seq of [1, 2, 3, 999, 123_456, 10 ** Math.min(carrier.waybill.digits, 15) - 1]) {
      assert.equal(waybillSequence(carrier, waybillNumber(carrier, seq)), seq, `${carrier.delivery_id} ${seq}`);
    }
  }
});

test('waybillSequence: ids not made by waybillNumber answer undefined', () => {
  const carrier = carriers.find((c) => c.delivery_id === 'SF')!;
  const id = waybillNumber(carrier, 42);
  assert.equal(waybillSequence(carrier, id.slice(0, -1)), undefined, 'too short');
  assert.equal(waybillSequence(carrier, `${id}1`), undefined, 'too long');
  assert.equal(waybillSequence(carrier, `#${id.slice(1)}`), undefined, 'another prefix');
  assert.equal(waybillSequence(carrier, id.replace(/\d$/, 'a')), undefined, 'not digits');
});
