// Accounts & quotas: the carrier accounts bound per app and their e-waybill balance.
import { api } from '../api.js';
import { badge, card, empty, fill, fmtTime, h, pageHeader } from '../dom.js';

const BIND = { 0: ['已绑定 bound', 'green'], 1: ['审核中 in review', 'amber'], 2: ['已拒绝 rejected', 'red'] };

function quota(a, initial) {
  if (!a.franchise) return h('span', { class: 'muted small' }, '不限 n/a (not a franchise carrier)');
  const pct = Math.max(0, Math.min(100, (a.quota_num / initial) * 100));
  const tone = a.quota_num === 0 ? 'red' : pct < 10 ? 'amber' : 'green';
  return h(
    'div',
    { class: 'quota' },
    h('div', { class: `bar ${tone}` }, h('span', { style: `width:${pct}%` })),
    h('b', {}, String(a.quota_num)),
    h('span', { class: 'muted small' }, ` / ${initial}`),
  );
}

export async function render(main) {
  const { apps, initial_quota: initial } = await api('/accounts');
  const sections = apps.map((app) =>
    card(
      h('span', {}, '小程序 ', h('code', {}, app.appid)),
      app.accounts.length
        ? h(
            'table',
            { class: 'table', dataset: { testid: 'accounts-table' } },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, '快递公司 ', h('code', {}, 'delivery_id')),
                h('th', {}, '客户编码 ', h('code', {}, 'biz_id')),
                h('th', {}, '别名 ', h('code', {}, 'alias')),
                h('th', {}, '绑定状态 ', h('code', {}, 'status_code')),
                h('th', {}, '剩余单量 ', h('code', {}, 'quota_num')),
                h('th', {}, '额度更新 ', h('code', {}, 'quota_update_time')),
                h('th', {}, '说明 ', h('code', {}, 'remark')),
              ),
            ),
            h(
              'tbody',
              {},
              app.accounts.map((a) => {
                const [label, tone] = BIND[a.status_code] ?? [String(a.status_code), 'gray'];
                return h(
                  'tr',
                  {},
                  h('td', {}, a.delivery_name, ' ', h('span', { class: 'muted small' }, a.delivery_id)),
                  h('td', { class: 'mono' }, a.biz_id),
                  h('td', {}, a.alias || '—'),
                  h('td', {}, badge(label, tone)),
                  h('td', {}, quota(a, initial)),
                  h('td', { class: 'nowrap small' }, fmtTime(a.quota_update_time)),
                  h('td', { class: 'small' }, a.remark_wrong_msg || a.remark_content || '—'),
                );
              }),
            ),
          )
        : empty(
            '未绑定账号 No accounts bound. TEST + test_biz_id always works; bindAccount binds real carriers (franchise carriers start with 1,000 e-waybills).',
          ),
    ),
  );
  fill(main, pageHeader('账号与额度', 'Accounts & quotas'), ...(apps.length ? sections : [card(null, empty('No apps.'))]));
}
