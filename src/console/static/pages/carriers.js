// Registered carriers: real carrier servers behind addOrder / cancelOrder / bindAccount / getQuota,
// and the event log of each (what we pushed, what they answered).
import { api } from '../api.js';
import { badge, card, empty, fill, h, pageHeader } from '../dom.js';
import { carrierEventsTable } from './carrier-events.js';

const enc = encodeURIComponent;

function carriersTable(carriers, active) {
  return h(
    'table',
    { class: 'table clickable', dataset: { testid: 'carriers-table' } },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, h('code', {}, 'delivery_id')),
        h('th', {}, '名称 name'),
        h('th', {}, '运力方小程序 carrier app'),
        h('th', {}, '推送 push'),
        h('th', {}, '服务 services'),
        h('th', {}, '运单号 waybill ids'),
        h('th', {}, '最近 last event'),
      ),
    ),
    h(
      'tbody',
      {},
      carriers.map((c) => {
        const last = c.recent_events[0];
        return h(
          'tr',
          { class: c.delivery_id === active ? 'selected' : '', onclick: () => (location.hash = `#/carriers/${enc(c.delivery_id)}`) },
          h(
            'td',
            { class: 'mono' },
            c.delivery_id,
            c.takes_over_built_in ? h('div', { class: 'small muted' }, '替代模拟 replaces the simulation') : null,
          ),
          h(
            'td',
            {},
            c.name,
            c.template ? ' ' : null,
            c.template ? badge('模板 template', 'gray') : null,
            c.review ? ' ' : null,
            c.review ? badge('审核 review', 'amber') : null,
          ),
          h('td', { class: 'mono small' }, c.appid),
          h('td', { class: 'small' }, `${c.mode} / ${c.format}`, h('div', { class: 'mono muted' }, c.url)),
          h('td', { class: 'small' }, c.services.map((s) => `${s.service_type}:${s.service_name}`).join(', ')),
          h('td', { class: 'small' }, c.waybill_source === 'segment' ? '号段 our segment' : '运力方分配 carrier ("0")'),
          h(
            'td',
            { class: 'small' },
            last
              ? [
                  h('span', { class: 'mono' }, last.event),
                  ' ',
                  badge(last.outcome, last.outcome === 'ok' ? 'green' : last.outcome === 'rejected' ? 'amber' : 'red'),
                ]
              : '—',
          ),
        );
      }),
    ),
  );
}

export async function render(main, { args }) {
  const { carriers } = await api('/carriers');
  const active = args[0] ?? carriers[0]?.delivery_id;
  const sections = [pageHeader('快递公司接入', 'Registered carriers')];
  if (!carriers.length) {
    sections.push(
      card(
        null,
        empty(
          '还没有接入的快递公司 No registered carriers. `wxlogistics carrier add --delivery-id ID --name NAME --url URL --token TOKEN` (or POST /_wxl/api/carriers) plugs a carrier server in; docs/carriers.md walks through it.',
        ),
      ),
    );
    return fill(main, ...sections);
  }
  sections.push(card(null, carriersTable(carriers, active)));
  if (active) {
    const { events } = await api(`/carriers/${enc(active)}/events?limit=100`);
    sections.push(card(h('span', {}, '事件日志 Event log ', h('code', {}, active)), carrierEventsTable(events)));
  }
  fill(main, ...sections);
}
