// One order: the label as it prints, the tracking timeline, carrier buttons, push deliveries.
import { api, apiText, enc } from '../api.js';
import { carrierEventsTable } from './carrier-events.js';
import { badge, defs, empty, fieldName, fill, fmtTime, h, icon, pageHeader } from '../dom.js';
import { icons } from '../icons.js';
import { CARRIER_ACTIONS, orderStage, stage } from '../stages.js';

const PRINT_TYPES = [
  { value: 0, zh: '两联', en: 'two-part', mm: [100, 180] },
  { value: 1, zh: '一联', en: 'single', mm: [76, 130] },
];
const PX_PER_MM = 96 / 25.4;

export async function render(main, { args }) {
  const [appid, orderId] = args;
  const base = `/apps/${enc(appid)}/orders/${enc(orderId)}`;
  let detail = await api(base);
  let printType = 0;
  let timer = null;

  const labelCard = h('section', { class: 'card label-card' });
  const actionsCard = h('section', { class: 'card' });
  const timelineCard = h('section', { class: 'card', dataset: { testid: 'timeline-card' } });
  const pushCard = h('section', { class: 'card', dataset: { testid: 'push-card' } });
  const headEl = h('div');
  const infoCard = h('section', { class: 'card' });

  async function refresh() {
    detail = await api(base);
    draw();
    // Deliveries happen in the background: keep looking while any is still pending.
    clearTimeout(timer);
    // A registered carrier's order: the events we sent the carrier for it, with its replies.
    void api(`${base}/carrier-events`)
      .then(({ events }) => {
        if (events.length)
          main.append(
            h(
              'section',
              { class: 'card', dataset: { testid: 'order-carrier-events' } },
              h('h2', { class: 'card-title' }, '快递公司事件 Carrier events'),
              carrierEventsTable(events, { withCarrier: true }),
            ),
          );
      })
      .catch(() => undefined);
    if (detail.events.some((e) => e.status === 'pending')) timer = setTimeout(() => void refresh().catch(() => undefined), 800);
  }

  async function drawLabel() {
    const html = await apiText(`${base}/label?print_type=${printType}`);
    const pt = PRINT_TYPES.find((p) => p.value === printType);
    const [wMm, hMm] = pt.mm;
    const frame = h('iframe', {
      class: 'label-frame',
      title: `label print_type ${printType}`,
      srcdoc: html,
      dataset: { testid: 'label-frame' },
      style: `width:${Math.ceil(wMm * PX_PER_MM) + 2}px;height:${Math.ceil(hMm * PX_PER_MM) + 2}px`,
    });
    const toggle = h(
      'div',
      { class: 'segmented', role: 'group' },
      PRINT_TYPES.map((p) =>
        h(
          'button',
          {
            class: p.value === printType ? 'on' : '',
            type: 'button',
            dataset: { testid: `print-type-${p.value}` },
            onclick: () => {
              printType = p.value;
              void drawLabel();
            },
          },
          h('b', {}, p.zh),
          ` ${p.en} ${p.mm.join('×')} mm`,
          h('small', {}, `print_type ${p.value}`),
        ),
      ),
    );
    fill(
      labelCard,
      h(
        'div',
        { class: 'card-title-row' },
        h('h2', { class: 'card-title' }, '面单 ', h('span', { class: 'en-title' }, 'label')),
        h(
          'button',
          {
            class: 'btn primary',
            dataset: { testid: 'print' },
            onclick: () => {
              frame.contentWindow.focus();
              frame.contentWindow.print();
            },
          },
          icon(icons.print),
          '打印 Print',
        ),
      ),
      toggle,
      h('div', { class: 'label-stage' }, frame),
      h(
        'p',
        { class: 'muted small' },
        'getOrder 的 print_html 解码后即此页面；打印使用其 @page 尺寸。This is getOrder’s print_html, decoded; printing uses its @page size.',
      ),
    );
  }

  function drawActions() {
    const msg = h('input', { placeholder: '轨迹描述 action_msg（留空用默认 blank = default）', dataset: { testid: 'action-msg' } });
    const status = h('span', { class: 'muted small', role: 'status' });
    const buttons = CARRIER_ACTIONS.map((a) => {
      const s = stage(a.action_type);
      return h(
        'button',
        {
          class: `btn action ${s.tone}`,
          title: `${a.action_type}: ${a.msg}`,
          dataset: { testid: `action-${a.action_type}` },
          onclick: async (e) => {
            const btn = e.currentTarget;
            btn.disabled = true;
            try {
              const r = await api(`${base}/actions`, {
                method: 'POST',
                body: { action_type: a.action_type, action_msg: msg.value.trim() || a.msg },
              });
              status.textContent = `已添加轨迹 node added (${r.path_item_num} nodes)`;
              msg.value = '';
              await refresh();
            } catch (error) {
              status.textContent = String(error.message ?? error);
            } finally {
              btn.disabled = false;
            }
          },
        },
        icon(s.icon),
        h('span', {}, a.label, h('small', {}, `${a.en} · ${a.action_type}`)),
      );
    });
    fill(
      actionsCard,
      h('h2', { class: 'card-title' }, '模拟快递公司 ', h('span', { class: 'en-title' }, 'simulate the carrier')),
      h('div', { class: 'action-row' }, buttons),
      h('div', { class: 'action-msg' }, msg, status),
      h(
        'p',
        { class: 'muted small' },
        '与 testUpdateOrder 同一核心：写入轨迹节点并推送 add_express_path。Same core as testUpdateOrder: appends a node and pushes add_express_path.',
      ),
    );
  }

  function drawTimeline() {
    const nodes = [...detail.nodes].reverse();
    const created = {
      action_type: 0,
      action_msg: `订单已创建，运单号 ${detail.order.waybill_id}`,
      action_time: detail.order.created_at,
      created: true,
    };
    const items = [...nodes, created].map((n, i) => {
      const s = stage(n.action_type);
      return h(
        'li',
        { class: `tl-item ${s.tone} ${i === 0 ? 'latest' : ''}`, dataset: { testid: 'timeline-node', actionType: String(n.action_type) } },
        h('div', { class: 'tl-dot' }, icon(s.icon)),
        h(
          'div',
          { class: 'tl-body' },
          h(
            'div',
            { class: 'tl-title' },
            h('b', {}, s.zh),
            ' ',
            h('span', { class: 'muted' }, s.en),
            n.created ? null : h('code', { class: 'tl-code' }, String(n.action_type)),
          ),
          h('div', { class: 'tl-msg' }, n.action_msg || '—'),
          h('div', { class: 'tl-time muted small' }, fmtTime(n.action_time)),
        ),
      );
    });
    fill(
      timelineCard,
      h(
        'h2',
        { class: 'card-title' },
        '物流轨迹 ',
        h('span', { class: 'en-title' }, 'tracking'),
        h('span', { class: 'count' }, `${detail.nodes.length} nodes`),
      ),
      h('ol', { class: 'timeline' }, items),
    );
  }

  function drawPush() {
    const tone = { delivered: 'green', pending: 'amber', dead: 'red', skipped: 'gray' };
    const zh = { delivered: '已送达', pending: '投递中', dead: '失败', skipped: '已跳过' };
    const list = detail.events.map((e) => {
      const p = e.payload && typeof e.payload === 'object' ? e.payload : {};
      // add_express_path carries the whole path: the newest node is what this push reports.
      const summary = Array.isArray(p.Actions) ? p.Actions[p.Actions.length - 1] : undefined;
      const replay =
        e.status === 'dead' || e.status === 'skipped'
          ? h(
              'button',
              {
                class: 'btn small',
                dataset: { testid: 'replay' },
                onclick: async (ev) => {
                  const btn = ev.currentTarget;
                  btn.disabled = true;
                  try {
                    await api(`/events/${e.id}/replay`, { method: 'POST', body: {} });
                    await refresh();
                  } catch (error) {
                    btn.disabled = false;
                    btn.title = String(error.message ?? error);
                  }
                },
              },
              icon(icons.replay),
              '重新推送 Replay',
            )
          : null;
      return h(
        'li',
        { class: 'push-item', dataset: { testid: 'push-event', status: e.status } },
        h(
          'div',
          { class: 'push-head' },
          h('span', {}, h('code', {}, e.event), ' ', h('span', { class: 'muted small' }, `#${e.id} · ${fmtTime(e.created_at)}`)),
          h('span', { class: 'push-actions' }, badge(`${zh[e.status]} ${e.status}`, tone[e.status]), replay),
        ),
        summary
          ? h(
              'div',
              { class: 'push-summary small' },
              h('code', {}, String(summary.ActionType)),
              ' ',
              stage(summary.ActionType).zh,
              ' · ',
              summary.ActionMsg,
            )
          : null,
        e.attempts.length
          ? h(
              'table',
              { class: 'table compact attempts' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, '#'),
                  h('th', {}, '时间 time'),
                  h('th', { class: 'num' }, '耗时 ms'),
                  h('th', {}, 'HTTP'),
                  h('th', {}, '响应 response'),
                ),
              ),
              h(
                'tbody',
                {},
                e.attempts.map((a) =>
                  h(
                    'tr',
                    { dataset: { testid: 'push-attempt' } },
                    h('td', {}, String(a.attempt)),
                    h('td', { class: 'nowrap' }, fmtTime(a.started_at, a.started_at > 1e12)),
                    h('td', { class: 'num' }, String(a.duration_ms)),
                    h('td', {}, a.status_code ? badge(String(a.status_code), a.delivered ? 'green' : 'red') : badge('—', 'red')),
                    h(
                      'td',
                      { class: 'excerpt' },
                      a.error
                        ? h('span', { class: 'err' }, a.error)
                        : h('code', {}, a.response_excerpt === '' ? '(empty)' : a.response_excerpt),
                    ),
                  ),
                ),
              ),
            )
          : h(
              'div',
              { class: 'muted small' },
              e.status === 'skipped' ? '未配置推送地址 no push URL when it was written' : '尚未尝试 no attempt yet',
            ),
        e.last_error && e.status !== 'delivered' ? h('div', { class: 'err small' }, e.last_error) : null,
      );
    });
    fill(
      pushCard,
      h(
        'h2',
        { class: 'card-title' },
        '消息推送 ',
        h('span', { class: 'en-title' }, 'push deliveries'),
        h('span', { class: 'count' }, h('code', {}, detail.stream)),
      ),
      detail.push_configured
        ? null
        : h(
            'p',
            { class: 'notice' },
            '该小程序未配置消息推送，事件被跳过。This app has no push URL: events are skipped (replayable once one is set).',
          ),
      list.length ? h('ul', { class: 'push-list' }, list) : empty('还没有事件 No events yet: press a carrier button.'),
    );
  }

  function drawInfo() {
    const o = detail.order;
    const b = detail.body ?? {};
    const party = (p) =>
      p ? [p.name, p.mobile || p.tel, [p.province, p.city, p.area, p.address].filter(Boolean).join(' ')].filter(Boolean).join(' · ') : '—';
    const goods = (b.cargo?.detail_list ?? []).map((g) => `${g.name}×${g.count}`).join('，') || b.shop?.goods_name || '—';
    fill(
      infoCard,
      h('h2', { class: 'card-title' }, '订单信息 ', h('span', { class: 'en-title' }, 'order fields')),
      h(
        'div',
        { class: 'two-col' },
        defs([
          [fieldName('订单号', 'order_id'), h('code', {}, o.order_id)],
          [fieldName('运单号', 'waybill_id'), h('code', {}, o.waybill_id)],
          [fieldName('快递公司', 'delivery_id'), `${o.delivery_name} (${o.delivery_id})`],
          [fieldName('客户编码', 'biz_id'), h('code', {}, o.biz_id)],
          [fieldName('用户', 'openid'), h('code', {}, o.openid)],
          [fieldName('小程序', 'appid'), h('code', {}, o.appid)],
          [
            fieldName('订单状态', 'order_status'),
            o.order_status === 1 ? badge('1 已取消 cancelled', 'gray') : badge('0 正常 normal', 'green'),
          ],
          [fieldName('版本', 'version'), String(o.version)],
          [fieldName('创建时间', 'created_at'), fmtTime(o.created_at)],
          [fieldName('更新时间', 'updated_at'), fmtTime(o.updated_at)],
        ]),
        defs([
          [fieldName('收件人', 'receiver'), party(b.receiver)],
          [fieldName('寄件人', 'sender'), party(b.sender)],
          [fieldName('货物', 'cargo'), `${goods} · ${b.cargo?.weight ?? '?'} kg · ${b.cargo?.count ?? 1} 件`],
          [fieldName('服务类型', 'service'), b.service ? `${b.service.service_name} (${b.service.service_type})` : '—'],
          [fieldName('保价', 'insured'), b.insured?.use_insured ? `${(b.insured.insured_value / 100).toFixed(2)} 元` : '不保价 none'],
          [fieldName('备注', 'custom_remark'), b.custom_remark || '—'],
          [fieldName('运单信息', 'waybill_data'), (o.waybill_data ?? []).map((d) => h('div', {}, h('code', {}, d.key), ' ', d.value))],
        ]),
      ),
      h('details', { class: 'raw' }, h('summary', {}, 'addOrder 请求体 request body (JSON)'), h('pre', {}, JSON.stringify(b, null, 2))),
    );
  }

  function drawHead() {
    const o = detail.order;
    const s = orderStage(o);
    fill(
      headEl,
      pageHeader(
        `订单 ${o.order_id}`,
        `${o.delivery_name} · ${o.waybill_id}`,
        badge(`${s.zh} ${s.en}`, s.tone, { dataset: { testid: 'order-status' } }),
        h('a', { class: 'btn', href: '#/orders' }, icon(icons.back), '订单列表 Orders'),
      ),
    );
  }

  function draw() {
    drawHead();
    drawTimeline();
    drawPush();
    drawInfo();
  }

  draw();
  drawActions();
  await drawLabel();
  fill(
    main,
    headEl,
    h(
      'div',
      { class: 'order-grid' },
      h('div', { class: 'order-left' }, labelCard),
      h('div', { class: 'order-right' }, actionsCard, timelineCard, pushCard),
    ),
    infoCard,
  );
  // A registered carrier's order: the events we sent the carrier for it, with its replies.
  void api(`${base}/carrier-events`)
    .then(({ events }) => {
      if (events.length)
        main.append(
          h(
            'section',
            { class: 'card', dataset: { testid: 'order-carrier-events' } },
            h('h2', { class: 'card-title' }, '快递公司事件 Carrier events'),
            carrierEventsTable(events, { withCarrier: true }),
          ),
        );
    })
    .catch(() => undefined);
  if (detail.events.some((e) => e.status === 'pending')) timer = setTimeout(() => void refresh().catch(() => undefined), 800);
  return () => clearTimeout(timer);
}
