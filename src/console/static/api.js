// The console API client: one fetch wrapper adding the admin key when the user gave one.

export const API_PREFIX = '/_wxl/console-api';
const KEY_STORAGE = 'wxl-admin-key';

export class UnauthorizedError extends Error {}

export const adminKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE),
  set: (key) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

async function request(path, { method = 'GET', body } = {}) {
  const headers = {};
  const key = adminKey.get();
  if (key) headers['x-wxl-admin-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(API_PREFIX + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status === 401) throw new UnauthorizedError(safeError(text) ?? 'admin key required');
  if (!res.ok) throw new Error(safeError(text) ?? `${res.status} ${res.statusText}`);
  return { res, text };
}

function safeError(text) {
  try {
    return JSON.parse(text).error;
  } catch {
    return undefined;
  }
}

/** GET (or POST with `body`) a JSON answer. */
export async function api(path, options) {
  const { text } = await request(path, options);
  return JSON.parse(text);
}

/** GET a text answer (the label HTML). */
export async function apiText(path) {
  return (await request(path)).text;
}

export const enc = encodeURIComponent;
