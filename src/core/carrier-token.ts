import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The per-order `Token` of add_waybill (provider-api.md §0). The hub model the
 * spec suggests: the token carries the order's identity (appid, order_id,
 * delivery_id) and an HMAC over it under a server key, so a carrier can be
 * handed it without a lookup table, and a token that does not verify is
 * 9300507. The same order always gets the same token: a repeated add_waybill
 * (a retry) carries the token of the first.
 */
export interface OrderIdentity {
  appid: string;
  orderId: string;
  deliveryId: string;
}

const mac = (key: string, payload: string): string => createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);

export function issueOrderToken(key: string, id: OrderIdentity): string {
  const payload = Buffer.from(JSON.stringify([id.appid, id.orderId, id.deliveryId]), 'utf8').toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

/** The identity a token was issued for; undefined when it does not verify. */
export function readOrderToken(key: string, token: string): OrderIdentity | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(key, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
    const [appid, orderId, deliveryId] = parsed as unknown[];
    if (typeof appid !== 'string' || typeof orderId !== 'string' || typeof deliveryId !== 'string') return undefined;
    return { appid, orderId, deliveryId };
  } catch {
    return undefined;
  }
}
