import { LRUCache } from 'lru-cache';
import { findCarrier } from './carriers.ts';
import type { LabelInput, LabelParty, PrintType } from './label/label-input.ts';
import { renderLabelHtml } from './label/render-label.ts';
import { arr, obj, str, type Body } from './validate.ts';
import type { OrderRecord } from '../storage/types.ts';
import { getOrderAnswerBytes } from './get-order-answer.ts';

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

/** Bytes the caches may hold: answers asked for again, and labels for the other callers (batchGetOrder, the object getOrder). */
export const ANSWER_CACHE_BYTES = 12 * 1024 * 1024;
export const LABEL_CACHE_BYTES = 8 * 1024 * 1024;
/**
 * Keys (no bytes) of answers asked for once, remembered so that a second request keeps its answer.
 * The window is short on purpose: a label printed again soon (a jammed printer, a hot set of orders)
 * is kept, while a stream of first prints admits only the few that repeat within the last ~2,000
 * getOrders. A longer window (20,000) kept ~20 % of a random stream over 100,000 orders: each kept
 * answer is a ~10 KB malloc block that lives until the LRU drops it and a full GC frees it, and that
 * churn left ~25 MB of free holes in glibc's heap after a cold load (`bench/memory.ts`: [heap] 65 MB,
 * 39 in use) against ~7 MB with this one ([heap] 40, 35 in use), at the same CPU per request.
 */
export const SEEN_KEYS = 2_048;
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
 * print type. Rendering draws two barcodes and a QR code; an order printed again
 * and again must not pay that on every call. An answer is only reused for the
 * order version (and waybill) it was built from, which the caller checks against
 * the order's head. Both caches are bounded by bytes (ANSWER_CACHE_BYTES,
 * LABEL_CACHE_BYTES).
 *
 * Most labels are printed once, so an answer is kept only once it is asked for a
 * second time (2Q's memory of keys): the first request remembers the key alone,
 * and its answer is garbage as soon as it is written, dying young in V8's new
 * space instead of aging through a cache into the old generation (where a stream
 * of new orders would pile ~10 KB answers up until the next full GC). A stream of
 * new orders thus never pushes out the answers that are asked for again and
 * again; the price is that a label's second request renders it once more.
 */
export class LabelCache {
  readonly #labels = new LRUCache<string, string>({ maxSize: LABEL_CACHE_BYTES, sizeCalculation: (v) => v.length + ENTRY_OVERHEAD });
  readonly #answers = new LRUCache<string, CachedAnswer>({ maxSize: ANSWER_CACHE_BYTES, sizeCalculation: answerSize });
  readonly #seen = new LRUCache<string, true>({ max: SEEN_KEYS });
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
    this.#answers.clear();
    this.#seen.clear();
  }

  /** The last answer kept for this order and print type (any version: compare it with the order's head). */
  cachedAnswer(appid: string, orderId: string, printType: PrintType): CachedAnswer | undefined {
    return this.#answers.get(`${appid}\u0000${orderId}\u0000${printType}`);
  }

  /**
   * Builds (renders) the answer of this order version; keeps it if the order was asked for
   * before. An answer not kept is written into `take(n)` when given (the caller's short-lived
   * bytes, answer-arena.ts); a kept one always has a buffer of its own.
   */
  answerBytes(order: OrderRecord, printType: PrintType, take?: (n: number) => Buffer): Buffer {
    const key = `${order.appid}\u0000${order.order_id}\u0000${printType}`;
    const cached = this.#answers.get(key);
    if (cached && cached.version === order.version && cached.waybill_id === order.waybill_id) return cached.bytes;
    const label = this.#labels.get(`${key}\u0000${order.version}`) ?? this.#renderBase64(order, printType);
    if (cached || this.#seen.has(key)) {
      const bytes = getOrderAnswerBytes(order, label);
      this.#answers.set(key, { version: order.version, waybill_id: order.waybill_id, bytes });
      return bytes;
    }
    this.#seen.set(key, true);
    return getOrderAnswerBytes(order, label, take);
  }

  /** Bytes held now (answers and labels, with their per-entry overhead): never above ANSWER_CACHE_BYTES + LABEL_CACHE_BYTES. */
  get heldBytes(): number {
    return this.#answers.calculatedSize + this.#labels.calculatedSize;
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
