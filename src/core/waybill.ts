import { createHash } from 'node:crypto';
import type { Carrier } from './carriers.ts';

// x -> (a*x + b) mod 10^n is a bijection when gcd(a, 10) = 1.
const MULTIPLIER = 7_919n * 1_000_003n; // odd, not a multiple of 5

/**
 * Simulated waybill numbers: the carrier's prefix, then `digits` digits that are
 * a bijection of a per-carrier sequence number. Distinct sequence numbers give
 * distinct waybill ids (never reused), yet consecutive orders do not look
 * consecutive, as with real carriers.
 */
export function waybillNumber(carrier: Carrier, sequence: number): string {
  const { prefix, digits } = carrier.waybill;
  const space = 10n ** BigInt(digits);
  const seq = BigInt(sequence);
  if (seq < 1n || seq >= space) throw new RangeError(`waybill sequence ${sequence} out of range`);
  const b = space / 3n;
  const n = (MULTIPLIER * seq + b) % space;
  return prefix + n.toString().padStart(digits, '0');
}

/** The store counter (sequences) a carrier's waybill numbers are drawn from. */
export const waybillCounterName = (deliveryId: string): string => `waybill:${deliveryId}`;

/** The inverse of waybillNumber: the sequence number a simulated waybill id was made from, if it is one. */
export function waybillSequence(carrier: Carrier, waybillId: string): number | undefined {
  const { prefix, digits } = carrier.waybill;
  const tail = waybillId.slice(prefix.length);
  if (!waybillId.startsWith(prefix) || tail.length !== digits || !/^\d+$/.test(tail)) return undefined;
  const space = 10n ** BigInt(digits);
  const seq = (multiplierInverse(space) * (BigInt(tail) - space / 3n + space)) % space;
  return seq >= 1n && seq <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seq) : undefined;
}

/** a⁻¹ mod m by the extended Euclidean algorithm (gcd(a, m) = 1 for m = 10^n). */
function multiplierInverse(m: bigint): bigint {
  let [r0, r1] = [MULTIPLIER % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

export interface WaybillDataItem {
  key: string;
  value: string;
}

export interface Address {
  province?: string | undefined;
  city?: string | undefined;
  area?: string | undefined;
  address?: string | undefined;
}

const digitsOf = (hash: Buffer, offset: number, count: number): string =>
  ((hash.readUInt32BE(offset) % 10 ** count) + '').padStart(count, '0');

/** 集包地: the receiver's city without its administrative suffix (广州市 → 广州). */
export function bagAddress(to: Address): string {
  const place = to.city || to.province || '';
  const trimmed = place.replace(/(市|省|自治区|特别行政区|地区|自治州|盟)$/u, '');
  return trimmed || place || '未知';
}

/**
 * 三段码 (sort code) derived deterministically from the receiver's province,
 * city, area and street address; SF's spacing follows the documented example
 * `101- 07-03 509`, the others use `NNN-NNN-NNN`.
 */
export function sortCode(deliveryId: string, to: Address): string {
  const h = createHash('sha256')
    .update([deliveryId, to.province, to.city, to.area, to.address].map((s) => s ?? '').join('\u0000'))
    .digest();
  if (deliveryId === 'SF') {
    return `${digitsOf(h, 0, 3)}- ${digitsOf(h, 4, 2)}-${digitsOf(h, 8, 2)} ${digitsOf(h, 12, 3)}`;
  }
  return `${digitsOf(h, 0, 3)}-${digitsOf(h, 4, 3)}-${digitsOf(h, 8, 3)}`;
}

/** House rule 11: `<ID>_bagAddr` then `<ID>_mark` (the documented order), TEST only `TEST_mark`, EMS none. */
export function waybillData(carrier: Carrier, to: Address): WaybillDataItem[] {
  const id = carrier.delivery_id;
  const items: WaybillDataItem[] = [];
  if (carrier.waybillDataKeys.includes('bagAddr')) items.push({ key: `${id}_bagAddr`, value: bagAddress(to) });
  if (carrier.waybillDataKeys.includes('mark')) items.push({ key: `${id}_mark`, value: sortCode(id, to) });
  return items;
}
