import { LRUCache } from 'lru-cache';
import { findCarrier } from './carriers.ts';
import type { LabelInput, LabelParty, PrintType } from './label/label-input.ts';
import { renderLabelHtml } from './label/render-label.ts';
import { arr, obj, str, type Body } from './validate.ts';
import type { OrderRecord } from '../storage/types.ts';
import { getOrderAnswerBytes } from './get-order-answer.ts';
import { AnswerSlabs, ownCopy } from './answer-slabs.ts';

const PARTY_FIELDS = ['name', 'tel', 'mobile', 'company', 'post_code', 'country', 'province', 'city', 'area', 'address'] as const;

function party(v: unknown): LabelParty {
  const src = obj(v) ?? {};
  const out: LabelParty = {};
  for (const f of PARTY_FIELDS) if (typeof src[f] === 'string') out[f] = src[f];
  return out;
}

/** The label's data, from the stored addOrder body (labels.md "Data that feeds it"). */
export function labelInput(order: OrderRecord): LabelInput {
  const body = JSON.parse(order.body) as Body;
  const shop = obj(body.shop) ?? {};
  const cargo = obj(body.cargo) ?? {};
  const insured = obj(body.insured) ?? {};
  const shopGoods = arr(shop.detail_list)
    .map((g) => str(obj(g)?.goods_name))
    .filter(Boolean);
  const cargoGoods = arr(cargo.detail_list).map((g) => {
    const item = obj(g) ?? {};
    return typeof item.count === 'number' && item.count > 1 ? `${str(item.name)}×${item.count}` : str(item.name);
  });
  const goods = shopGoods.length ? shopGoods : shop.goods_name ? [str(shop.goods_name)] : cargoGoods.filter(Boolean);
  const input: LabelInput = {
    delivery_id: order.delivery_id,
    delivery_name: findCarrier(order.delivery_id)?.delivery_name ?? order.delivery_id,
    waybill_id: order.waybill_id,
    order_id: order.order_id,
    waybill_data: order.waybill_data,
    sender: party(body.sender),
    receiver: party(body.receiver),
    goods,
    cargo_count: typeof cargo.count === 'number' ? cargo.count : 1,
    weight_kg: typeof cargo.weight === 'number' ? cargo.weight : 0,
    service_name: str(obj(body.service)?.service_name),
    // The label is a picture of one order version: it carries that version's time,
    // so getOrder answers stay byte-identical until the order changes.
    print_time: order.updated_at,
  };
  if (typeof body.custom_remark === 'string' && body.custom_remark) input.custom_remark = body.custom_remark;
  if (insured.use_insured === 1 && typeof insured.insured_value === 'number') input.insured_value_fen = insured.insured_value;
  return input;
}

/** A registered carrier's own label for an order (its template rendered), or undefined for the built-in label. */
export type CarrierLabel = (order: OrderRecord) => string | undefined;

/** Bytes the caches may hold: whole answers, and labels for the other callers (batchGetOrder, the object getOrder). */
export const ANSWER_CACHE_BYTES = 16 * 1024 * 1024;
export const LABEL_CACHE_BYTES = 8 * 1024 * 1024;
/** The part of ANSWER_CACHE_BYTES for answers asked for once so far. */
const FIRST_SEEN_BYTES = 4 * 1024 * 1024;
/** Keys (no bytes) of answers asked for once, remembered longer than their bytes. */
const SEEN_KEYS = 20_000;
/** What an entry costs besides its bytes (key, entry object, the LRU's bookkeeping), roughly. */
const ENTRY_OVERHEAD = 256;

/** A getOrder answer as sent, and the order version it shows. */
export interface CachedAnswer {
  version: number;
  waybill_id: string;
  bytes: Buffer;
}

/**
 * getOrder answers (as UTF-8 bytes) and rendered labels (base64), per order and
 * print type. Rendering draws two barcodes and a QR code; getOrder must not pay
 * that on every call. An answer is only reused for the order version (and
 * waybill) it was built from, which the caller checks against the order's
 * head. Both caches are bounded by bytes (ANSWER_CACHE_BYTES, LABEL_CACHE_BYTES).
 *
 * Most labels are printed once, so answers are kept in two parts (a segmented
 * LRU, with a 2Q-style memory of keys): a new answer goes to a small first-seen
 * part and its key is remembered; asked for again — found in the small part, or
 * rebuilt while its key is still remembered — it goes to the larger part. A
 * stream of new orders thus cycles through the small part and never pushes out
 * the answers that are asked for again and again. First-seen answers are carved
 * from shared slabs (answer-slabs.ts), kept ones have buffers of their own.
 */
export class LabelCache {
  readonly #labels = new LRUCache<string, string>({ maxSize: LABEL_CACHE_BYTES, sizeCalculation: (v) => v.length + ENTRY_OVERHEAD });
  readonly #firstSeen = new LRUCache<string, CachedAnswer>({ maxSize: FIRST_SEEN_BYTES, sizeCalculation: answerSize });
  readonly #answers = new LRUCache<string, CachedAnswer>({ maxSize: ANSWER_CACHE_BYTES - FIRST_SEEN_BYTES, sizeCalculation: answerSize });
  readonly #seen = new LRUCache<string, true>({ max: SEEN_KEYS });
  readonly #slabs = new AnswerSlabs();
  readonly #takeFromSlab = (n: number) => this.#slabs.take(n);
  /** Set by the core: a carrier registered with a template prints its own label (print_type does not apply to it). */
  carrierLabel: CarrierLabel = () => undefined;

  #renderBase64(order: OrderRecord, printType: PrintType): string {
    const html = this.carrierLabel(order) ?? renderLabelHtml(labelInput(order), printType);
    return base64OfUtf8(html);
  }

  /**
   * Drops every label and answer: after a reset an order id, version and even
   * waybill number can come back with another body, so no key names one label.
   */
  clear(): void {
    this.#labels.clear();
    this.#firstSeen.clear();
    this.#answers.clear();
    this.#seen.clear();
  }

  /** The last answer built for this order and print type (any version: compare it with the order's head). */
  cachedAnswer(appid: string, orderId: string, printType: PrintType): CachedAnswer | undefined {
    const key = `${appid}\u0000${orderId}\u0000${printType}`;
    const hit = this.#answers.get(key);
    if (hit) return hit;
    const first = this.#firstSeen.get(key);
    if (!first) return undefined;
    this.#firstSeen.delete(key);
    const kept = { ...first, bytes: ownCopy(first.bytes) };
    this.#answers.set(key, kept);
    return kept;
  }

  /** Builds (renders) the answer of this order version and keeps it. */
  answerBytes(order: OrderRecord, printType: PrintType): Buffer {
    const key = `${order.appid}\u0000${order.order_id}\u0000${printType}`;
    const cached = this.#answers.get(key) ?? this.#firstSeen.get(key);
    if (cached && cached.version === order.version && cached.waybill_id === order.waybill_id) return cached.bytes;
    const label = this.#labels.get(`${key}\u0000${order.version}`) ?? this.#renderBase64(order, printType);
    const askedBefore = this.#answers.has(key) || this.#seen.has(key);
    const bytes = getOrderAnswerBytes(order, label, askedBefore ? undefined : this.#takeFromSlab);
    const entry = { version: order.version, waybill_id: order.waybill_id, bytes };
    if (askedBefore) {
      this.#firstSeen.delete(key);
      this.#answers.set(key, entry);
    } else {
      this.#firstSeen.set(key, entry);
      this.#seen.set(key, true);
    }
    return bytes;
  }

  /** Bytes held now (answers and labels, with their per-entry overhead): never above ANSWER_CACHE_BYTES + LABEL_CACHE_BYTES. */
  get heldBytes(): number {
    return this.#firstSeen.calculatedSize + this.#answers.calculatedSize + this.#labels.calculatedSize;
  }

  /** The label, base64, rendered once per order version and print type. */
  printHtml(order: OrderRecord, printType: PrintType): string {
    const key = `${order.appid}\u0000${order.order_id}\u0000${printType}\u0000${order.version}`;
    let html = this.#labels.get(key);
    if (html === undefined) {
      html = this.#renderBase64(order, printType);
      this.#labels.set(key, html);
    }
    return html;
  }
}

/**
 * One buffer the label's UTF-8 passes through on its way to base64, reused by every render
 * (rendering is synchronous): a fresh 15 KB buffer per label was freed again at once, and
 * those short-lived allocations among the long-lived cached answers fragmented the malloc
 * heap (the server's RSS grew with it).
 */
let utf8Scratch = Buffer.allocUnsafe(64 * 1024);

/** base64 of the UTF-8 of `text`, without allocating the UTF-8 bytes. */
export function base64OfUtf8(text: string): string {
  // A write that leaves fewer than 4 bytes free may have stopped short of a character: grow, write again.
  for (;;) {
    const written = utf8Scratch.write(text, 0, 'utf8');
    if (written <= utf8Scratch.length - 4) return utf8Scratch.toString('base64', 0, written);
    utf8Scratch = Buffer.allocUnsafe(utf8Scratch.length * 2);
  }
}

function answerSize(a: CachedAnswer): number {
  return a.bytes.length + ENTRY_OVERHEAD;
}
