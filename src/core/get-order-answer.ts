import type { OrderRecord } from '../storage/types.ts';

/** getOrder's answer, as the object JSON.stringify turns into the wire bytes (business-api.md §2). */
export function getOrderAnswer(order: OrderRecord, printHtml: string) {
  return {
    errcode: 0,
    errmsg: 'ok',
    print_html: printHtml,
    waybill_data: order.waybill_data,
    order_id: order.order_id,
    delivery_id: order.delivery_id,
    waybill_id: order.waybill_id,
    order_status: order.order_status,
  };
}

const HEAD = '{"errcode":0,"errmsg":"ok","print_html":"';

/**
 * The same answer's bytes, exactly `JSON.stringify(getOrderAnswer(order, printHtml))`
 * in UTF-8, built without passing the label through JSON.stringify: base64 has
 * no character JSON escapes, so it is copied in as is, between a fixed head and
 * the small rest serialised normally. One buffer (from `take`), written once.
 */
export function getOrderAnswerBytes(
  order: OrderRecord,
  printHtmlBase64: string,
  take: (n: number) => Buffer = (n) => Buffer.allocUnsafe(n),
): Buffer {
  const rest = JSON.stringify({
    waybill_data: order.waybill_data,
    order_id: order.order_id,
    delivery_id: order.delivery_id,
    waybill_id: order.waybill_id,
    order_status: order.order_status,
  });
  // `"` closes print_html, `,` replaces rest's `{`.
  const tailBytes = Buffer.byteLength(rest, 'utf8') + 1;
  const out = take(HEAD.length + printHtmlBase64.length + tailBytes);
  let at = out.write(HEAD, 0, 'latin1');
  at += out.write(printHtmlBase64, at, 'latin1');
  at += out.write('",', at, 'latin1');
  out.write(rest.slice(1), at, 'utf8');
  return out;
}
