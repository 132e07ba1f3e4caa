import { Option } from 'commander';

export const dataOption = () => new Option('--data <dir>', 'data directory of the embedded store').default('.wxlogistics');

/** `--store postgres://…` (or DATABASE_URL): the shared PostgreSQL store instead of the data directory. */
export const storeOption = () =>
  new Option('--store <url>', 'PostgreSQL store, postgres://user@host:5432/db[?schema=name] (default: the SQLite file in --data)').env(
    'DATABASE_URL',
  );

/** Where a command's state lives: `--data` (SQLite) or `--store` (PostgreSQL). */
export interface StoreOptions {
  data: string;
  store?: string;
}
