import { LRUCache } from 'lru-cache';
import { findCarrier } from './carriers.ts';
import type { LabelInput, LabelParty, PrintType } from './label/label-input.ts';
import { renderLabelHtml } from './label/render-label.ts';
import { arr, obj, str, type Body } from './validate.ts';
import type { OrderRecord } from '../storage/types.ts';

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
  const shopGoods = arr(shop.detail_list).map((g) => str(obj(g)?.goods_name)).filter(Boolean);
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

/**
 * Rendered labels, base64-encoded, per (app, order, version, print type).
 * Rendering draws two barcodes and a QR code; getOrder must not pay that on
 * every call (issue #2). A new order version is a new key, so no invalidation.
 */
export class LabelCache {
  readonly #cache = new LRUCache<string, string>({ max: 20_000, maxSize: 64 * 1024 * 1024, sizeCalculation: (v) => v.length });
  // Whole getOrder answers as UTF-8 bytes: the HTTP adapter sends them without
  // serialising ~11 KB of JSON per call (a getOrder answer has no rid, so it is
  // byte-identical for one order version).
  readonly #answers = new LRUCache<string, Buffer>({ max: 20_000, maxSize: 64 * 1024 * 1024, sizeCalculation: (v) => v.length });
  /** Set by the core: a carrier registered with a template prints its own label (print_type does not apply to it). */
  carrierLabel: CarrierLabel = () => undefined;

  #renderBase64(order: OrderRecord, printType: PrintType): string {
    const html = this.carrierLabel(order) ?? renderLabelHtml(labelInput(order), printType);
    return Buffer.from(html, 'utf8').toString('base64');
  }

  /** The cached answer of an order version, if it was built already. */
  cachedAnswer(appid: string, orderId: string, version: number, printType: PrintType): Buffer | undefined {
    return this.#answers.get(`${appid}\u0000${orderId}\u0000${version}\u0000${printType}`);
  }

  /** The serialised answer for one order version and print type, built once. */
  answerBytes(order: OrderRecord, printType: PrintType, build: () => object): Buffer {
    const key = `${order.appid}\u0000${order.order_id}\u0000${order.version}\u0000${printType}`;
    let bytes = this.#answers.get(key);
    if (bytes === undefined) {
      bytes = Buffer.from(JSON.stringify(build()), 'utf8');
      this.#answers.set(key, bytes);
    }
    return bytes;
  }

  printHtml(order: OrderRecord, printType: PrintType): string {
    const key = `${order.appid}\u0000${order.order_id}\u0000${order.version}\u0000${printType}`;
    let html = this.#cache.get(key);
    if (html === undefined) {
      html = this.#renderBase64(order, printType);
      this.#cache.set(key, html);
    }
    return html;
  }

  /** The label without keeping it (the getOrder answer cache holds it already). */
  printHtmlOnce(order: OrderRecord, printType: PrintType): string {
    const key = `${order.appid}\u0000${order.order_id}\u0000${order.version}\u0000${printType}`;
    return this.#cache.get(key) ?? this.#renderBase64(order, printType);
  }
}
