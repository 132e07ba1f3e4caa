import { WxError } from './errors.ts';
import type { CarrierReply } from './carrier-events.ts';
import type { WireObject } from './push-events.ts';
import type { CarrierRecord } from '../storage/carrier-store.ts';

/** One event sent to a carrier, and what came back (recorded whole in the carrier event log). */
export interface CarrierExchange {
  url: string;
  requestBody: string;
  statusCode: number | null;
  replyBody: string;
  /** Wall-clock milliseconds. */
  startedAt: number;
  durationMs: number;
  attempts: number;
  /** The reply's fields with lower-cased keys (decrypted when it came encrypted); absent when there is no usable reply. */
  reply?: CarrierReply;
  /** Why there is no usable reply: timeout, refused connection, HTTP error, garbage, bad msg_signature. */
  error?: string;
}

/**
 * Sends a carrier event the way WeChat pushes (signed, encrypted in compatible/secure
 * mode, XML or JSON) and reads the structured reply. Implemented in src/push (I/O);
 * the core decides what the reply means.
 */
export interface CarrierLink {
  send(carrier: CarrierRecord, event: WireObject): Promise<CarrierExchange>;
}

/** The link of a process that serves no requests (the CLI): a carrier event cannot be sent from it. */
export const noCarrierLink: CarrierLink = {
  send: () => Promise.reject(new WxError('deliverySysError', 'this process has no connection to carriers')),
};
