// The console shell: sidebar, hash router, admin-key prompt, the server clock.
import { api, adminKey, UnauthorizedError } from './api.js';
import { errorBox, fill, fmtClock, fmtDuration, h, icon } from './dom.js';
import { icons } from './icons.js';
import { ctx } from './state.js';
import * as appsPage from './pages/apps.js';
import * as ordersPage from './pages/orders.js';
import * as orderPage from './pages/order.js';
import * as logPage from './pages/log.js';
import * as accountsPage from './pages/accounts.js';
import * as clockPage from './pages/clock.js';
import * as carriersPage from './pages/carriers.js';
import * as faultsPage from './pages/faults.js';

const NAV = [
  { route: 'apps', zh: '应用', en: 'Apps', icon: icons.apps, page: appsPage },
  { route: 'orders', zh: '订单', en: 'Orders', icon: icons.orders, page: ordersPage },
  { route: 'log', zh: '请求日志', en: 'Request log', icon: icons.log, page: logPage },
  { route: 'accounts', zh: '账号与额度', en: 'Accounts & quotas', icon: icons.accounts, page: accountsPage },
  { route: 'carriers', zh: '快递公司接入', en: 'Carriers', icon: icons.truck, page: carriersPage },
  { route: 'clock', zh: '时钟', en: 'Clock', icon: icons.clock, page: clockPage },
  { route: 'faults', zh: '故障注入', en: 'Faults', icon: icons.alert, page: faultsPage },
];

const main = document.getElementById('main');
const sidebar = document.getElementById('sidebar');
let cleanup = null;
let clockEl = null;
ctx.onClock(() => renderClock());

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { route: parts[0] || 'apps', args: parts.slice(1), query: new URLSearchParams(query) };
}

function renderSidebar(active) {
  const access = ctx.session?.access === 'loopback' ? 'localhost · 无需密钥 no key' : adminKey.get() ? '管理密钥 admin key' : '';
  clockEl = h('div', { class: 'side-clock', dataset: { testid: 'side-clock' } });
  fill(
    sidebar,
    h(
      'a',
      { class: 'brand', href: '#/apps' },
      h('span', { class: 'brand-mark' }, icon(icons.box)),
      h('span', {}, h('b', {}, 'wxlogistics'), h('small', {}, '物流助手 · console')),
    ),
    h(
      'ul',
      { class: 'nav' },
      NAV.map((n) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/${n.route}`, class: n.route === active ? 'active' : '', dataset: { testid: `nav-${n.route}` } },
            icon(n.icon),
            h('span', { class: 'nav-zh' }, n.zh),
            h('span', { class: 'nav-en' }, n.en),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'side-foot' },
      clockEl,
      access ? h('div', { class: 'side-access' }, icon(icons.key), access) : null,
      adminKey.get()
        ? h(
            'button',
            {
              class: 'link',
              onclick: () => {
                adminKey.clear();
                location.reload();
              },
            },
            '清除密钥 forget key',
          )
        : null,
    ),
  );
  renderClock();
}

function renderClock() {
  if (!clockEl || !ctx.clock.fetchedAt) return;
  const off = ctx.clock.offsetSeconds;
  fill(
    clockEl,
    h('span', { class: 'muted' }, '服务器时钟 server clock'),
    h('b', {}, fmtClock(ctx.nowMs())),
    off > 0 ? h('span', { class: 'offset' }, `+${fmtDuration(off)}`) : null,
  );
}

async function route() {
  const { route: name, args, query } = parseHash();
  const entry = name === 'order' ? { route: 'orders', page: orderPage } : (NAV.find((n) => n.route === name) ?? NAV[0]);
  renderSidebar(entry.route);
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  fill(main, h('p', { class: 'muted pad' }, '加载中 Loading…'));
  try {
    cleanup = await entry.page.render(main, { args, query });
  } catch (error) {
    if (error instanceof UnauthorizedError) return askForKey(error.message);
    fill(main, errorBox(error));
  }
  main.focus({ preventScroll: true });
}

/** Bound to another address than loopback: the admin key, kept for this browser tab only. */
function askForKey(reason) {
  const input = h('input', {
    type: 'password',
    name: 'key',
    placeholder: 'x-wxl-admin-key',
    autocomplete: 'off',
    required: true,
    dataset: { testid: 'key-input' },
  });
  const form = h(
    'form',
    {
      class: 'key-form card',
      onsubmit: (e) => {
        e.preventDefault();
        adminKey.set(input.value.trim());
        void start();
      },
    },
    h('h2', {}, icon(icons.key), ' 需要管理密钥 Admin key required'),
    h('p', { class: 'muted' }, reason),
    h(
      'p',
      {},
      '密钥在 ',
      h('code', {}, 'wxlogistics serve'),
      ' 启动时打印。The key is printed when the server starts; it is kept in this tab (sessionStorage) and sent as ',
      h('code', {}, 'x-wxl-admin-key'),
      '.',
    ),
    input,
    h('button', { class: 'btn primary', type: 'submit' }, '进入 Open console'),
  );
  fill(sidebar);
  fill(main, form);
  input.focus();
}

async function start() {
  try {
    ctx.session = await api('/session');
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      if (adminKey.get()) adminKey.clear();
      return askForKey(error.message);
    }
    fill(main, errorBox(error));
    return;
  }
  ctx.setClock(ctx.session.now_ms, ctx.session.offset_seconds);
  await route();
}

window.addEventListener('hashchange', () => void route());
setInterval(renderClock, 1000);
// Another tab (or the API) may move the shared clock: re-read it now and then.
setInterval(() => {
  if (ctx.session)
    api('/clock')
      .then((c) => ctx.setClock(c.now_ms, c.offset_seconds))
      .catch(() => undefined);
}, 15000);
void start();
