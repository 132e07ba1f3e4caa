// Tiny DOM helpers: h() builds elements, so no page ever assembles HTML from data.

/**
 * h('a', { href: '#/', class: 'x', onclick: fn, dataset: { testid: 'y' } }, 'text', child)
 * Children may be strings, numbers, nodes, arrays, or null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') el.setAttribute('style', v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** replaceChildren that, like h(), flattens arrays and skips null/false (the native one prints "null"). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** An icon from icons.js (trusted, static SVG markup). */
export function icon(svg, cls = '') {
  const span = document.createElement('span');
  span.className = `icon ${cls}`.trim();
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = svg;
  return span;
}

/** A field name in Chinese and English: 运单号 waybill_id. */
export function fieldName(zh, en) {
  return h('span', { class: 'field' }, h('span', { class: 'zh' }, zh), ' ', h('code', { class: 'en' }, en));
}

/** A page header: Chinese title, English subtitle, optional actions on the right. */
export function pageHeader(zh, en, ...actions) {
  return h(
    'header',
    { class: 'page-head' },
    h('div', {}, h('h1', {}, zh, ' ', h('span', { class: 'en-title' }, en))),
    h('div', { class: 'actions' }, actions),
  );
}

const pad = (n) => String(n).padStart(2, '0');

/** Unix seconds (or ms with ms=true) → 2024-05-01 14:03:09, local time. */
export function fmtTime(t, ms = false) {
  if (t === null || t === undefined) return '—';
  const d = new Date(ms ? t : t * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fmtClock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 93784 → "1 d 2 h 3 min" */
export function fmtDuration(seconds) {
  if (seconds <= 0) return '0';
  const parts = [];
  const d = Math.floor(seconds / 86400);
  const hr = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) parts.push(`${d} d`);
  if (hr) parts.push(`${hr} h`);
  if (m || parts.length === 0) parts.push(`${m} min`);
  return parts.join(' ');
}

export function badge(text, tone = 'gray', extra = {}) {
  return h('span', { class: `badge ${tone}`, ...extra }, text);
}

export function card(title, ...body) {
  return h('section', { class: 'card' }, title ? h('h2', { class: 'card-title' }, title) : null, body);
}

export function empty(text) {
  return h('div', { class: 'empty' }, text);
}

export function errorBox(error) {
  return h('div', { class: 'error-box', role: 'alert' }, String(error?.message ?? error));
}

/** A definition table of [name node, value] rows. */
export function defs(rows) {
  return h(
    'dl',
    { class: 'defs' },
    rows.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]),
  );
}
