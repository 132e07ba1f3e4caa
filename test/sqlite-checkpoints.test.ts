/**
 * WAL checkpoints run in a worker thread: the writes reach the database file itself
 * (not only the WAL) without the writer's automatic checkpoint, the writer finishes
 * them between transactions so the WAL starts again from its beginning even while
 * writes go on, and closing the store stops the worker and leaves no WAL behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { APP, order, withApps } from '../src/storage/conformance-fixtures.ts';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';

/** The rows the database file alone holds: a copy of it without its WAL, opened on its own. */
function ordersInMainFile(file: string, dir: string): number {
  const copy = join(dir, `main-only-${Date.now()}-${Math.random()}.sqlite`);
  copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  try {
    // Nothing copied yet: not even the tables are in the file.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'orders'").get()) return 0;
    return db.prepare("SELECT count(*) FROM orders WHERE order_id LIKE 'ckpt-%'").pluck().get() as number;
  } finally {
    db.close();
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

/** A store on a new file with the worker tuned for a test; `reports` collects what each checkpoint did. */
async function fileStore(tuning: { intervalMs: number; finishFromFrames?: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-sqlite-ckpt-'));
  const file = join(dir, 'store.sqlite');
  const reports: { walFrames: number; checkpointedFrames: number }[] = [];
  const finished: { walFrames: number; checkpointedFrames: number }[] = [];
  const store = new SqliteStore({
    filename: file,
    backgroundCheckpoints: {
      ...tuning,
      minWalBytes: 0,
      onCheckpoint: (r) => reports.push(r),
      onFinish: (r) => finished.push(r),
    },
  });
  await store.init();
  return { dir, file, finished, reports, store };
}

test('the worker copies committed pages into the database file; the writer only checkpoints as a safety net', async () => {
  const { dir, file, reports, store } = await fileStore({ intervalMs: 20 });
  try {
    // The writer's own threshold is far above the default 1,000 pages: it does not checkpoint these writes.
    assert.ok((store.db.pragma('wal_autocheckpoint', { simple: true }) as number) > 1000);
    await withApps(store);
    const before = reports.length;
    await store.transaction(async (tx) => {
      for (let i = 0; i < 200; i++) await tx.orders.insertIfAbsent(order(`ckpt-${i}`));
    });
    const copied = await until(
      () => reports.slice(before).some((r) => r.checkpointedFrames > 0 && r.checkpointedFrames === r.walFrames),
      5000,
    );
    assert.ok(copied, `a complete background checkpoint was reported: ${JSON.stringify(reports.slice(before))}`);
    assert.equal(ordersInMainFile(file, dir), 200, 'the database file holds the rows without its WAL');
    // The store reads and writes on as before.
    assert.equal((await store.orders.get(APP, 'ckpt-7'))?.order_id, 'ckpt-7');
  } finally {
    await store.close();
  }
  assert.equal(existsSync(`${file}-wal`), false, 'the last connection closed checkpointed and removed the WAL');
  rmSync(dir, { recursive: true, force: true });
});

test("under steady writes the WAL still starts again from its beginning (the writer finishes the worker's checkpoint between groups)", async () => {
  const { dir, finished, reports, store } = await fileStore({ intervalMs: 10, finishFromFrames: 50 });
  try {
    await withApps(store);
    // The worker thread first: on a busy machine it can take more than a second to start, longer
    // than a fast machine needs for all the writes below.
    assert.ok(await until(() => reports.length > 0, 15_000), 'the worker reported its first checkpoint');
    const body = 'x'.repeat(12_000);
    // Never idle: eight transactions always asked for, so the writer's groups follow each other
    // without a pause in which a worker pass could finish on its own.
    const write = (i: number) =>
      store.transaction((tx) =>
        tx.apiCalls.insertRids([
          {
            rid: `ckpt-steady-${i}`,
            appid: APP,
            cgi_path: '/cgi-bin/express/business/order/get',
            invoke_time: 1_800_000_000 + i,
            cost_in_ms: 1,
            request_url: '',
            request_body: '{}',
            response_body: body,
            client_ip: '127.0.0.1',
          },
        ]),
      );
    // A WAL that restarted holds fewer frames than one that only grew: the reports say how many it
    // held each time; after a restart the count starts again from (near) zero.
    let seen = 0;
    let restartedOnce = false;
    const restarted = (): boolean => {
      for (; seen < reports.length; seen++) if (seen > 0 && reports[seen]!.walFrames < reports[seen - 1]!.walFrames) restartedOnce = true;
      return restartedOnce;
    };
    // The writer finished a checkpoint itself: every frame the WAL held was copied back.
    const completed = () => finished.some((r) => r.walFrames > 0 && r.checkpointedFrames === r.walFrames);
    // Writes go on until both happened, for 20 s or 10,000 writes at most (a fixed short window
    // proves nothing on a busy machine).
    const deadline = Date.now() + 20_000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < deadline && next < 10_000 && !(restarted() && completed())) await write(next++);
      }),
    );
    assert.ok(
      completed(),
      `the writer completed a checkpoint between groups in ${next} writes: ${JSON.stringify(finished)} (${reports.length} worker reports)`,
    );
    assert.ok(restarted(), `the WAL started again at least once while writes went on: ${JSON.stringify(reports.map((r) => r.walFrames))}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the worker runs in a process started with --input-type=module too (it does not take the parent's flags)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-sqlite-ckpt-'));
  const storeModule = fileURLToPath(new URL('../src/storage/sqlite/sqlite-store.ts', import.meta.url));
  const code = `
    const { SqliteStore } = await import(${JSON.stringify(storeModule)});
    let copied = 0;
    process.on('warning', (w) => { console.log('warning: ' + w.message); });
    const store = new SqliteStore({ filename: ${JSON.stringify(join(dir, 'store.sqlite'))},
      backgroundCheckpoints: { intervalMs: 20, minWalBytes: 0, onCheckpoint: (r) => { copied += r.checkpointedFrames; } } });
    await store.init();
    const end = Date.now() + 5000;
    while (copied === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await store.close();
    console.log('copied ' + copied);
  `;
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    assert.doesNotMatch(out, /warning:/);
    assert.match(out, /copied [1-9]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without background checkpoints the writer keeps its own threshold and no worker is started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-sqlite-ckpt-'));
  const file = join(dir, 'store.sqlite');
  const store = new SqliteStore({ filename: file, backgroundCheckpoints: false });
  await store.init();
  try {
    await withApps(store);
    await store.transaction((tx) => tx.orders.insertIfAbsent(order('ckpt-inline')));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(ordersInMainFile(file, dir), 0, 'nothing copied the WAL into the file');
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 20_000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
