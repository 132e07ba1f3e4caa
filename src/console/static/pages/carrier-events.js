// The carrier event log as a table: what we sent a registered carrier and what it answered (raw bodies folded).
import { badge, empty, fmtTime, h } from '../dom.js';

const OUTCOME = { ok: ['成功 ok', 'green'], rejected: ['拒绝 rejected', 'amber'], failed: ['失败 failed', 'red'] };
const enc = encodeURIComponent;

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** One table of carrier events; `withCarrier` adds the delivery_id column (the order page), else the order column. */
export function carrierEventsTable(events, { withCarrier = false } = {}) {
  if (!events.length) return empty('还没有事件 No carrier events yet.');
  return h(
    'table',
    { class: 'table compact carrier-events', dataset: { testid: 'carrier-events' } },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, '时间 time'),
        h('th', {}, '事件 ', h('code', {}, 'Event')),
        withCarrier ? h('th', {}, '快递公司 carrier') : h('th', {}, '订单 order'),
        h('th', {}, '结果 outcome'),
        h('th', {}, h('code', {}, 'ResultCode')),
        h('th', { class: 'num' }, '耗时 ms'),
        h('th', { class: 'num' }, '次数 tries'),
        h('th', {}, '报文 bodies'),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) => {
        const [label, tone] = OUTCOME[e.outcome] ?? [e.outcome, 'gray'];
        return h(
          'tr',
          {},
          h('td', { class: 'nowrap small' }, fmtTime(Math.floor(e.started_at / 1000))),
          h('td', { class: 'mono' }, e.event),
          withCarrier
            ? h('td', { class: 'mono' }, h('a', { href: `#/carriers/${enc(e.delivery_id)}` }, e.delivery_id))
            : h(
                'td',
                { class: 'mono small' },
                e.order_id
                  ? h('a', { href: `#/order/${enc(e.appid)}/${enc(e.order_id)}` }, e.order_id)
                  : h('span', { class: 'muted' }, `${e.appid} (account)`),
              ),
          h('td', {}, badge(label, tone), e.error ? h('div', { class: 'small muted' }, e.error) : null),
          h('td', { class: 'mono' }, e.result_code === null ? '—' : String(e.result_code)),
          h('td', { class: 'num' }, String(e.duration_ms)),
          h('td', { class: 'num' }, String(e.attempts)),
          h(
            'td',
            {},
            h('details', { class: 'raw' }, h('summary', {}, '请求 request'), h('pre', {}, e.url, '\n\n', pretty(e.request_body))),
            h(
              'details',
              { class: 'raw' },
              h('summary', {}, `回复 reply${e.status_code === null ? '' : ` (HTTP ${e.status_code})`}`),
              h('pre', {}, pretty(e.reply_body) || '(empty)'),
            ),
          ),
        );
      }),
    ),
  );
}
