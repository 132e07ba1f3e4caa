// Fault injection: the server's fault rules, how often each fired (polled), add one as JSON, remove, clear.
import { api, enc } from '../api.js';
import { badge, card, empty, fill, fmtTime, h, pageHeader } from '../dom.js';

const POLL_MS = 2000;

// One click fills the editor with a rule worth trying (the same JSON as the admin API and the CLI's --json).
const PRESETS = [
  {
    label: 'addOrder 9300501 ×1',
    rule: { api: 'addOrder', errcode: 9300501, delivery_resultcode: 10002, delivery_resultmsg: '客户密码不正确', times: 1 },
  },
  { label: 'getOrder -1 p=0.3', rule: { api: 'getOrder', errcode: -1, probability: 0.3, seed: 'demo' } },
  { label: '* 45009', rule: { api: '*', errcode: 45009 } },
  { label: 'getPath +2 s', rule: { api: 'getPath', delay_ms: 2000 } },
  { label: 'addOrder reset', rule: { api: 'addOrder', connection: 'reset', times: 1 } },
  { label: 'push duplicate', rule: { api: 'push', push: 'duplicate', delay_ms: 3000, times: 1 } },
  { label: 'push drop', rule: { api: 'push', push: 'drop', times: 1 } },
];

/** What a rule matches, as short tokens. */
function matchOf(rule) {
  return [
    h('code', {}, rule.api),
    rule.appid ? h('span', { class: 'small' }, ` appid=${rule.appid}`) : null,
    rule.event ? h('span', { class: 'small' }, ` event=${rule.event}`) : null,
    rule.order_id ? h('span', { class: 'small' }, ` order_id=${rule.order_id}`) : null,
    rule.delivery_id ? h('span', { class: 'small' }, ` delivery_id=${rule.delivery_id}`) : null,
  ];
}

/** What a rule does. */
function effectOf(rule) {
  const parts = [];
  if (rule.errcode !== undefined)
    parts.push(badge(`errcode ${rule.errcode}`, 'red'), rule.errmsg ? h('span', { class: 'small' }, ` ${rule.errmsg}`) : null);
  if (rule.delivery_resultcode !== undefined)
    parts.push(h('span', { class: 'small muted' }, ` delivery_resultcode=${rule.delivery_resultcode}`));
  if (rule.connection) parts.push(badge(`connection ${rule.connection}`, 'amber'));
  if (rule.push) parts.push(badge(`push ${rule.push}`, 'indigo'));
  if (rule.delay_ms !== undefined) parts.push(' ', badge(`+${rule.delay_ms} ms`, 'blue'));
  return parts;
}

function howOften(rule) {
  const p =
    rule.probability !== undefined ? `p=${rule.probability}${rule.seed !== undefined ? ` seed=${rule.seed}` : ''}` : '每次 every call';
  return [
    h('div', { class: 'small' }, p),
    rule.times !== undefined ? h('div', { class: 'small muted' }, `次数 times ${rule.times}`) : null,
  ];
}

export async function render(main) {
  let timer = null;
  const list = h('div');
  const note = h('p', { class: 'small', role: 'status', dataset: { testid: 'fault-note' } });
  const editor = h('textarea', {
    rows: 4,
    spellcheck: false,
    class: 'mono',
    style: 'width:100%;box-sizing:border-box',
    dataset: { testid: 'fault-json' },
  });
  editor.value = JSON.stringify(PRESETS[0].rule);

  async function refresh() {
    const { faults } = await api('/faults');
    fill(
      list,
      faults.length
        ? h(
            'table',
            { class: 'table', dataset: { testid: 'faults-table' } },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'id'),
                h('th', {}, '匹配 match'),
                h('th', {}, '效果 effect'),
                h('th', {}, '频率 how often'),
                h('th', { class: 'num' }, '命中 hits'),
                h('th', { class: 'num' }, '剩余 remaining'),
                h('th', {}, '添加 added'),
                h('th', {}),
              ),
            ),
            h(
              'tbody',
              {},
              faults.map((rule) =>
                h(
                  'tr',
                  { class: rule.remaining === 0 ? 'muted' : '', dataset: { testid: 'fault-row', id: String(rule.id) } },
                  h('td', { class: 'mono' }, String(rule.id)),
                  h('td', {}, matchOf(rule)),
                  h('td', {}, effectOf(rule)),
                  h('td', {}, howOften(rule)),
                  h(
                    'td',
                    { class: 'num', dataset: { testid: 'fault-hits' } },
                    h('b', {}, String(rule.hits)),
                    h('div', { class: 'small muted' }, `of ${rule.matched} matched`),
                  ),
                  h('td', { class: 'num' }, rule.remaining === null ? '∞' : String(rule.remaining)),
                  h('td', { class: 'nowrap small' }, fmtTime(rule.created_at, true)),
                  h(
                    'td',
                    {},
                    h(
                      'button',
                      {
                        class: 'btn small',
                        dataset: { testid: 'fault-remove' },
                        onclick: async () => {
                          await api(`/faults/${enc(rule.id)}`, { method: 'DELETE' });
                          await refresh();
                        },
                      },
                      '删除 Remove',
                    ),
                  ),
                ),
              ),
            ),
          )
        : empty('没有故障规则 No fault rules: every call is answered normally.'),
    );
  }

  async function add() {
    let rule;
    try {
      rule = JSON.parse(editor.value);
    } catch {
      note.textContent = '不是 JSON: not JSON';
      return;
    }
    try {
      const added = await api('/faults', { method: 'POST', body: rule });
      note.textContent = `已添加 added rule ${added.id}`;
      await refresh();
    } catch (error) {
      note.textContent = String(error.message ?? error);
    }
  }

  const clearAll = h(
    'button',
    {
      class: 'btn',
      dataset: { testid: 'faults-clear' },
      onclick: async () => {
        const { cleared } = await api('/faults', { method: 'DELETE' });
        note.textContent = `已清除 cleared ${cleared}`;
        await refresh();
      },
    },
    '全部清除 Clear all',
  );

  fill(
    main,
    pageHeader('故障注入', 'Faults', clearAll),
    card(
      '规则 Rules',
      list,
      h(
        'p',
        { class: 'muted small' },
        '规则按添加顺序匹配，第一条命中的规则决定这次调用；故障在接口执行前决定，出错的写操作不改变任何数据。Rules are tried in the order added; the first that fires decides the call. A faulted write changes nothing. Rules live in this server process only.',
      ),
    ),
    card(
      '添加规则 Add a rule',
      h(
        'div',
        { class: 'clock-buttons' },
        PRESETS.map((p) =>
          h(
            'button',
            {
              class: 'btn small',
              onclick: () => {
                editor.value = JSON.stringify(p.rule);
              },
            },
            p.label,
          ),
        ),
      ),
      editor,
      h('div', {}, h('button', { class: 'btn primary', dataset: { testid: 'fault-add' }, onclick: () => void add() }, '添加 Add')),
      note,
    ),
  );
  await refresh();
  timer = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
  return () => clearInterval(timer);
}
