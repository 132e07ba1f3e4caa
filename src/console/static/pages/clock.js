// The one clock (house rule 14): read it, move it forward by an hour or a day.
import { api } from '../api.js';
import { card, fill, fmtDuration, fmtTime, h, pageHeader } from '../dom.js';
import { ctx } from '../state.js';

const STEPS = [
  { seconds: 600, label: '+10 分钟', en: '+10 min' },
  { seconds: 3600, label: '+1 小时', en: '+1 hour' },
  { seconds: 86400, label: '+1 天', en: '+1 day' },
];

export async function render(main) {
  const c = await api('/clock');
  ctx.setClock(c.now_ms, c.offset_seconds);
  const face = h('div', { class: 'clock-face', dataset: { testid: 'clock-now' } });
  const offset = h('div', { class: 'clock-offset', dataset: { testid: 'clock-offset' } });
  const note = h('p', { class: 'clock-note', role: 'status' });
  const real = h('span');
  const tick = () => {
    face.textContent = fmtTime(ctx.nowMs(), true);
    real.textContent = fmtTime(Date.now(), true);
    offset.textContent =
      ctx.clock.offsetSeconds > 0
        ? `比真实时间快 ahead of real time by ${fmtDuration(ctx.clock.offsetSeconds)}`
        : '与真实时间一致 same as real time';
  };
  const unsubscribe = ctx.onClock(tick);
  const timer = setInterval(tick, 1000);
  tick();
  const buttons = STEPS.map((s) =>
    h(
      'button',
      {
        class: 'btn big',
        dataset: { testid: `advance-${s.seconds}` },
        onclick: async (e) => {
          const button = e.currentTarget;
          button.disabled = true;
          try {
            await api('/clock/advance', { method: 'POST', body: { seconds: s.seconds } });
            const now = await api('/clock');
            ctx.setClock(now.now_ms, now.offset_seconds);
            note.textContent = `已前进 moved forward ${s.en}; due auto-progress steps and reviews ran.`;
          } catch (error) {
            note.textContent = String(error.message ?? error);
          } finally {
            button.disabled = false;
          }
        },
      },
      s.label,
      h('small', {}, s.en),
    ),
  );
  fill(
    main,
    pageHeader('时钟', 'Clock'),
    card(
      null,
      h(
        'div',
        { class: 'clock-wrap' },
        h('div', { class: 'muted' }, '服务器时间 server time'),
        face,
        offset,
        h('div', { class: 'muted small' }, '真实时间 real time ', real),
      ),
      h('div', { class: 'clock-buttons' }, buttons),
      note,
      h(
        'p',
        { class: 'muted small' },
        '时钟只能前进。令牌随之过期，自动推进的订单和 EMS 审核随之完成，所有实例共享同一时钟。The clock only moves forward: tokens expire, auto-progressing orders advance and EMS reviews complete; every instance on the same store shares it.',
      ),
    ),
  );
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
