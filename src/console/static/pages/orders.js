// Orders: search by order_id / waybill_id / carrier / status, keyset paging (never OFFSET).
import { api } from '../api.js';
import { badge, card, empty, fill, fmtTime, h, icon, pageHeader } from '../dom.js';
import { icons } from '../icons.js';
import { ctx } from '../state.js';
import { orderStage, STAGES } from '../stages.js';

const FILTERS = ['appid', 'order_id', 'waybill_id', 'delivery_id', 'status'];
const PAGE = 20;
// Cursors of the pages before the current one, for "newer" (keyset paging only walks one way).
let trail = [];
let trailKey = '';

function statusQuery(status) {
  if (!status) return {};
  if (status === 'cancelled') return { order_status: '1' };
  if (status === '0') return { order_status: '0', last_action_type: '0' };
  return { last_action_type: status };
}

function go(filters, before) {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (filters[k]) q.set(k, filters[k]);
  if (before) q.set('before', before);
  location.hash = `#/orders?${q}`;
}

function filterForm(filters, apps) {
  const text = (name, ph) => h('input', { name, value: filters[name] ?? '', placeholder: ph, dataset: { testid: `filter-${name}` } });
  const select = (name, options) =>
    h(
      'select',
      { name, dataset: { testid: `filter-${name}` } },
      options.map(([v, label]) => h('option', { value: v, selected: (filters[name] ?? '') === v }, label)),
    );
  const carriers = ctx.session?.carriers ?? [];
  const form = h(
    'form',
    {
      class: 'filters card',
      onsubmit: (e) => {
        e.preventDefault();
        const data = Object.fromEntries(new FormData(form));
        trail = [];
        go(data);
      },
    },
    h(
      'label',
      {},
      h('span', {}, '小程序 ', h('code', {}, 'appid')),
      select('appid', [['', '全部 all'], ...apps.map((a) => [a.appid, a.appid])]),
    ),
    h('label', {}, h('span', {}, '订单号 ', h('code', {}, 'order_id')), text('order_id', '精确匹配 exact')),
    h('label', {}, h('span', {}, '运单号 ', h('code', {}, 'waybill_id')), text('waybill_id', '精确匹配 exact')),
    h(
      'label',
      {},
      h('span', {}, '快递公司 ', h('code', {}, 'delivery_id')),
      select('delivery_id', [['', '全部 all'], ...carriers.map((c) => [c.delivery_id, `${c.delivery_name} ${c.delivery_id}`])]),
    ),
    h(
      'label',
      {},
      h('span', {}, '状态 ', h('code', {}, 'status')),
      select('status', [
        ['', '全部 all'],
        ...Object.entries(STAGES).map(([k, s]) => [k === '400001' ? 'cancelled' : k, `${s.zh} ${s.en}`]),
      ]),
    ),
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { class: 'btn primary', type: 'submit', dataset: { testid: 'search' } }, icon(icons.search), '搜索 Search'),
      h(
        'button',
        {
          class: 'btn',
          type: 'button',
          onclick: () => {
            trail = [];
            go({});
          },
        },
        '清除 Clear',
      ),
    ),
  );
  return form;
}

function ordersTable(orders) {
  if (!orders.length) return empty('没有符合条件的订单 No orders match.');
  return h(
    'table',
    { class: 'table clickable', dataset: { testid: 'orders-table' } },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, '创建时间 ', h('code', {}, 'created_at')),
        h('th', {}, '订单号 ', h('code', {}, 'order_id')),
        h('th', {}, '快递公司 ', h('code', {}, 'delivery_id')),
        h('th', {}, '运单号 ', h('code', {}, 'waybill_id')),
        h('th', {}, '收件人 ', h('code', {}, 'receiver')),
        h('th', {}, '状态 ', h('code', {}, 'status')),
        h('th', {}, '小程序 ', h('code', {}, 'appid')),
      ),
    ),
    h(
      'tbody',
      {},
      orders.map((o) => {
        const s = orderStage(o);
        const href = `#/order/${encodeURIComponent(o.appid)}/${encodeURIComponent(o.order_id)}`;
        return h(
          'tr',
          { onclick: () => (location.hash = href), dataset: { testid: 'order-row', orderId: o.order_id } },
          h('td', { class: 'nowrap' }, fmtTime(o.created_at)),
          h('td', {}, h('a', { href, class: 'mono' }, o.order_id)),
          h('td', {}, o.delivery_name, ' ', h('span', { class: 'muted small' }, o.delivery_id)),
          h('td', { class: 'mono' }, o.waybill_id),
          h('td', {}, o.receiver.name, ' ', h('span', { class: 'muted small' }, o.receiver.city)),
          h('td', {}, badge(`${s.zh} ${s.en}`, s.tone)),
          h('td', { class: 'mono muted small' }, o.appid),
        );
      }),
    ),
  );
}

export async function render(main, { query }) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? '']));
  const key = FILTERS.map((k) => filters[k]).join('\u0000');
  if (key !== trailKey) {
    trail = [];
    trailKey = key;
  }
  const before = query.get('before') ?? '';
  const q = new URLSearchParams({ limit: String(PAGE) });
  for (const k of ['appid', 'order_id', 'waybill_id', 'delivery_id']) if (filters[k]) q.set(k, filters[k]);
  for (const [k, v] of Object.entries(statusQuery(filters.status))) q.set(k, v);
  if (before) q.set('before', before);
  const [{ apps }, page] = await Promise.all([api('/apps'), api(`/orders?${q}`)]);
  const pageNo = trail.length + 1;
  const pager = h(
    'div',
    { class: 'pager' },
    h('button', { class: 'btn', disabled: !before, onclick: () => go(filters, trail.pop() || undefined) }, icon(icons.back), '较新 Newer'),
    h('span', { class: 'muted' }, `第 ${pageNo} 页 · page ${pageNo} · ${page.orders.length} orders`),
    h(
      'button',
      {
        class: 'btn',
        disabled: !page.next,
        dataset: { testid: 'older' },
        onclick: () => {
          trail.push(before);
          go(filters, page.next);
        },
      },
      '较早 Older',
      icon(icons.next),
    ),
  );
  fill(main, pageHeader('订单', 'Orders'), filterForm(filters, apps), card(null, ordersTable(page.orders), pager));
}
