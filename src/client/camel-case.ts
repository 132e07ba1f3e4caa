/**
 * wx-server-sdk's case conversion (`convertCase` in its utils), reproduced so
 * `client.openapi.*` answers exactly what a cloud function sees: keys only,
 * recursively through plain objects and arrays; values are never touched.
 * snake → camel turns `_` + lower-case letter into that letter upper-cased
 * (`space_x` → `spaceX`, `item_2` unchanged); camel → snake puts `_` before
 * every upper-case letter except a leading one (`orderId` → `order_id`).
 */
type Direction = 'toCamel' | 'toSnake';

const convertKey: Record<Direction, (key: string) => string> = {
  toCamel: (key) => key.replace(/_[a-z]/g, (m) => m.charAt(1).toUpperCase()),
  toSnake: (key) => key.replace(/[A-Z]/g, (m, index: number) => `${index ? '_' : ''}${m.toLowerCase()}`),
};

const isPlainObject = (x: unknown): x is Record<string, unknown> => Object.prototype.toString.call(x) === '[object Object]';

function convert(input: unknown, direction: Direction): unknown {
  if (isPlainObject(input)) return convertObject(input, direction);
  if (Array.isArray(input)) return input.map((item: unknown) => convert(item, direction));
  return input;
}

function convertObject(input: Record<string, unknown>, direction: Direction): Record<string, unknown> {
  // Same walk as the SDK (copy, then rename in place): a renamed key moves to
  // the end, an unchanged key keeps its place, so key order matches too.
  const data: Record<string, unknown> = { ...input };
  for (const key in data) {
    const value = convert(data[key], direction);
    const renamed = convertKey[direction](key);
    data[renamed] = value;
    if (renamed !== key) delete data[key];
  }
  return data;
}

export const toCamelCase = (input: unknown): unknown => convert(input, 'toCamel');
export const toSnakeCase = (input: unknown): unknown => convert(input, 'toSnake');

type CamelKey<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${CamelKey<Capitalize<Tail>>}` : S;

/** The type `toCamelCase` turns `T` into (for WeChat's lower-case snake_case keys). */
export type CamelCased<T> = T extends readonly (infer U)[]
  ? CamelCased<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? CamelKey<K> : K]: CamelCased<T[K]> }
    : T;
