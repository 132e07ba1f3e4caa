// Apps: appid, tokens issued and valid, push settings, cloud envs, auto-progress.
import { api } from '../api.js';
import { badge, card, defs, empty, fieldName, fill, fmtTime, h, pageHeader } from '../dom.js';

const mask = (s) => (s && s.length > 8 ? `${s.slice(0, 4)}…${s.slice(-4)}` : s || '—');

function tokensTable(tokens) {
  const row = (label, path, t) =>
    h(
      'tr',
      {},
      h('td', {}, h('code', {}, label), h('div', { class: 'muted small' }, path)),
      h('td', { class: 'num' }, String(t.issued_since_start)),
      h('td', { class: 'num' }, t.valid ? badge(String(t.valid), 'green') : badge('0', 'gray')),
      h('td', {}, t.newest_expires_at ? fmtTime(t.newest_expires_at) : '—'),
    );
  return h(
    'table',
    { class: 'table compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, '类型 kind'),
        h('th', { class: 'num' }, '已签发 issued*'),
        h('th', { class: 'num' }, '有效 valid'),
        h('th', {}, '最晚过期 expires'),
      ),
    ),
    h(
      'tbody',
      {},
      row('access_token', 'GET /cgi-bin/token', tokens.token),
      row('stable_token', 'POST /cgi-bin/stable_token', tokens.stable),
    ),
  );
}

function pushPanel(push) {
  if (!push)
    return h(
      'div',
      {},
      badge('未配置 not set', 'gray'),
      h(
        'p',
        { class: 'muted small' },
        '事件会被跳过 Events are written but skipped until a URL is set: ',
        h('code', {}, 'wxlogistics app push'),
        ' or ',
        h('code', {}, 'PUT /_wxl/api/apps/:appid/push'),
        '.',
      ),
    );
  return defs([
    [fieldName('服务器地址', 'URL'), h('code', { class: 'wrap' }, push.url)],
    [fieldName('令牌', 'Token'), h('code', {}, push.token)],
    [fieldName('消息加密密钥', 'EncodingAESKey'), h('code', {}, mask(push.encoding_aes_key))],
    [fieldName('加密方式', 'mode'), badge(push.mode, push.mode === 'plain' ? 'gray' : 'blue')],
    [fieldName('数据格式', 'format'), badge(push.format.toUpperCase(), 'slate')],
  ]);
}

function cloudPanel(cloud) {
  if (!cloud.envs.length)
    return h('p', { class: 'muted small' }, '未启用云调用 No cloud env: ', h('code', {}, 'wxlogistics app cloud --appid … --cloud-env …'));
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'chips' },
      cloud.envs.map((e) => h('span', { class: 'chip' }, e)),
    ),
    h(
      'div',
      { class: 'muted small' },
      'secretId: ',
      cloud.secret_ids.map((s) => h('code', {}, mask(s), ' ')),
    ),
  );
}

function progressPanel(p) {
  if (!p.enabled)
    return h(
      'div',
      {},
      badge('关闭 off', 'gray'),
      h(
        'p',
        { class: 'muted small' },
        '订单只在按钮或 testUpdateOrder 时前进。Orders move only by the carrier buttons or testUpdateOrder.',
      ),
    );
  return defs([
    [fieldName('状态', 'enabled'), badge('开启 on', 'green')],
    [fieldName('异常概率', 'exception_probability'), String(p.exception_probability ?? 0)],
    [fieldName('种子', 'seed'), p.seed ? h('code', {}, p.seed) : '—'],
    [fieldName('时间线', 'timeline'), p.timeline ? `${p.timeline.length} steps` : '默认 default (18 h)'],
  ]);
}

function quotaPanel(q) {
  if (!q) return h('p', { class: 'muted small' }, '—');
  const note = h(
    'p',
    { class: 'muted small' },
    `本月已重置 ${q.resets_this_month}/10 quota resets this month · `,
    h('code', {}, 'wxlogistics app limits'),
    ' or ',
    h('code', {}, 'PUT /_wxl/api/apps/:appid/limits'),
  );
  if (!q.paths.length)
    return h('div', { dataset: { testid: 'api-quota' } }, h('p', { class: 'muted small' }, '今天还没有调用 No API calls today.'), note);
  const row = (u) =>
    h(
      'tr',
      { dataset: { testid: 'api-quota-row', path: u.cgi_path } },
      h('td', {}, h('code', {}, u.cgi_path), u.overridden ? h('span', {}, ' ', badge('自定义 set', 'blue')) : ''),
      h('td', { class: 'num' }, u.used.toLocaleString('en')),
      h('td', { class: 'num' }, u.daily_limit.toLocaleString('en')),
      h('td', { class: 'num' }, u.remain === 0 ? badge('0', 'red') : u.remain.toLocaleString('en')),
      h('td', { class: 'num' }, `${u.rate_limit.call_count.toLocaleString('en')} / ${u.rate_limit.refresh_second} s`),
    );
  return h(
    'div',
    { dataset: { testid: 'api-quota' } },
    h(
      'table',
      { class: 'table compact' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, '接口 cgi_path'),
          h('th', { class: 'num' }, '今日已用 used'),
          h('th', { class: 'num' }, '每日上限 daily_limit'),
          h('th', { class: 'num' }, '剩余 remain'),
          h('th', { class: 'num' }, '频率 rate_limit'),
        ),
      ),
      h('tbody', {}, q.paths.map(row)),
    ),
    note,
  );
}

export async function render(main) {
  const { apps } = await api('/apps');
  const cards = apps.map((a) =>
    h(
      'section',
      { class: 'card app-card', dataset: { testid: 'app-card', appid: a.appid } },
      h(
        'div',
        { class: 'app-head' },
        h('div', {}, h('div', { class: 'muted small' }, '小程序 appid'), h('h2', { class: 'mono' }, a.appid)),
        h(
          'div',
          { class: 'muted small right' },
          '创建于 created ',
          fmtTime(a.created_at),
          h('br'),
          h('a', { href: `#/orders?appid=${encodeURIComponent(a.appid)}` }, '查看订单 orders →'),
        ),
      ),
      h(
        'div',
        { class: 'app-grid' },
        h('div', { class: 'panel wide' }, h('h3', {}, '接口调用凭证 access tokens'), tokensTable(a.tokens)),
        h('div', { class: 'panel' }, h('h3', {}, '消息推送 message push'), pushPanel(a.push)),
        h('div', { class: 'panel' }, h('h3', {}, '云开发 cloud envs'), cloudPanel(a.cloud)),
        h('div', { class: 'panel' }, h('h3', {}, '自动推进 auto-progress'), progressPanel(a.auto_progress)),
        h('div', { class: 'panel wide' }, h('h3', {}, '接口调用额度 API call quota (today, Beijing time)'), quotaPanel(a.api_quota)),
      ),
    ),
  );
  fill(
    main,
    pageHeader('应用', 'Apps'),
    ...(apps.length ? cards : [card(null, empty('还没有应用 No apps yet: wxlogistics app create'))]),
    h(
      'p',
      { class: 'muted small' },
      '* 自本进程启动以来的签发次数 tokens answered since this server process started; “有效 valid” counts tokens that work right now.',
    ),
  );
}
