// Request log: the last N WeChat API calls, live (polled), each failure explained.
import { api } from '../api.js';
import { badge, card, empty, fill, fmtTime, h, pageHeader } from '../dom.js';

const POLL_MS = 1000;

/** The path on one line, its (redacted) query below it. */
function pathCell(path) {
  const q = path.indexOf('?');
  return q < 0 ? h('code', {}, path) : [h('code', {}, path.slice(0, q)), h('div', { class: 'query' }, h('code', {}, path.slice(q)))];
}

export async function render(main) {
  let entries = [];
  let lastSeq = 0;
  let capacity = 500;
  let paused = false;
  let errorsOnly = false;
  let timer = null;

  const body = h('div');
  const live = h('span', { class: 'live', dataset: { testid: 'live' } }, h('span', { class: 'pulse' }), '实时 live');
  const pauseBtn = h(
    'button',
    {
      class: 'btn',
      onclick: () => {
        paused = !paused;
        pauseBtn.textContent = paused ? '继续 Resume' : '暂停 Pause';
        live.classList.toggle('off', paused);
      },
    },
    '暂停 Pause',
  );
  const errorsBox = h('input', {
    type: 'checkbox',
    onchange: (e) => {
      errorsOnly = e.currentTarget.checked;
      draw();
    },
  });

  function row(e) {
    const ok = e.errcode === 0;
    return h(
      'tr',
      { class: ok ? '' : 'failed', dataset: { testid: 'log-row', errcode: String(e.errcode) } },
      h('td', { class: 'nowrap muted small' }, fmtTime(e.at, true)),
      h('td', {}, badge(e.method, e.method === 'GET' ? 'slate' : 'blue')),
      h('td', { class: 'path' }, pathCell(e.path)),
      h('td', { class: 'mono small muted' }, e.appid ?? '—'),
      h('td', {}, badge(ok ? '0 ok' : String(e.errcode), ok ? 'green' : 'red', { dataset: { testid: 'errcode' } })),
      h('td', { class: 'num small' }, `${e.duration_ms} ms`),
      h('td', { class: 'explain', dataset: { testid: 'explanation' } }, e.explanation ?? ''),
    );
  }

  function draw() {
    const shown = (errorsOnly ? entries.filter((e) => e.errcode !== 0) : entries).slice().reverse();
    const failures = entries.filter((e) => e.errcode !== 0).length;
    fill(
      body,
      h('div', { class: 'log-stats muted small' }, `${entries.length} / ${capacity} calls kept · ${failures} failed · newest first`),
      shown.length
        ? h(
            'table',
            { class: 'table log', dataset: { testid: 'log-table' } },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, '时间 time'),
                h('th', {}, '方法 method'),
                h('th', {}, '路径 path'),
                h('th', {}, '小程序 appid'),
                h('th', {}, 'errcode'),
                h('th', { class: 'num' }, '耗时 duration'),
                h('th', {}, '说明 explanation'),
              ),
            ),
            h('tbody', {}, shown.map(row)),
          )
        : empty('还没有调用 No WeChat API calls yet.'),
    );
  }

  async function poll() {
    if (!paused) {
      const r = await api(`/log?after=${lastSeq}`);
      capacity = r.capacity;
      if (r.entries.length) {
        entries = entries.concat(r.entries).slice(-capacity);
        lastSeq = r.last_seq;
        draw();
      }
    }
    timer = setTimeout(() => void poll().catch(() => (timer = setTimeout(poll, POLL_MS * 3))), POLL_MS);
  }

  fill(
    main,
    pageHeader('请求日志', 'Request log', live, h('label', { class: 'check' }, errorsBox, '只看失败 errors only'), pauseBtn),
    h(
      'p',
      { class: 'muted small intro' },
      '最近的微信接口调用（access_token 与 secret 的值已隐去）。The most recent WeChat API calls (token and secret values hidden); every non-zero errcode is explained. Start the server with ',
      h('code', {}, '--explain'),
      ' to get the same explanation in errmsg.',
    ),
    card(null, body),
  );
  draw();
  await poll();
  return () => clearTimeout(timer);
}
