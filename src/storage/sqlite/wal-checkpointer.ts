/**
 * WAL checkpoints mostly off the event loop. A checkpoint copies the WAL's pages
 * back into the database file and fsyncs it; SQLite runs one inside the COMMIT
 * that crosses `wal_autocheckpoint`, and better-sqlite3 is synchronous, so that
 * COMMIT held every request for the whole copy (450–550 ms for the ~80 MB the
 * store let the WAL grow to, on a copy of the bench store).
 *
 * Here a worker thread with its own connection runs PASSIVE checkpoints: they
 * take no lock a writer or reader needs (`sqlite3_wal_checkpoint_v2`), so the
 * server goes on while the bulk of the pages is copied and synced. A PASSIVE
 * checkpoint only copies the frames that existed when it began, though, and the
 * WAL starts again from its beginning only after one has copied them all: under
 * steady writes the worker alone never gets there, and the WAL would grow until
 * the writer's own threshold. So each report goes to the store, which finishes
 * the job on the writer's connection between two transactions: the frames
 * written since the worker began, and an fsync of just those pages (a few ms).
 */
import { Worker } from 'node:worker_threads';
import { packageRequire } from '../../package-files.ts';

export interface WalCheckpointerOptions {
  /** The database file (its WAL is `<filename>-wal`). */
  filename: string;
  /** How often the worker looks at the WAL (default 500 ms). */
  intervalMs?: number;
  /** WAL size from which it checkpoints (default 4 MiB). */
  minWalBytes?: number;
  /** Told what each checkpoint did (frames in the WAL, frames copied back). */
  onCheckpoint?: (result: { walFrames: number; checkpointedFrames: number }) => void;
  /** A checkpoint or the worker failed (the writer's automatic checkpoint still bounds the WAL). */
  onError?: (error: unknown) => void;
}

/** The worker: plain CommonJS, run with `eval` (no file to resolve next to the compiled or the TypeScript module). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const walSize = () => { try { return statSync(workerData.filename + '-wal').size; } catch { return 0; } };
const tick = () => {
  try {
    if (walSize() < workerData.minWalBytes) return;
    // Again while the writer keeps adding: each pass copies what arrived during the one before, so
    // the part the writer's connection copies when it finishes stays small.
    let row, copied = 0;
    for (let pass = 0; pass < 8; pass++) {
      [row] = db.pragma('wal_checkpoint(PASSIVE)');
      if (row.busy || row.log < 0 || row.checkpointed - copied < 256) break;
      copied = row.checkpointed;
    }
    parentPort.postMessage({ kind: 'checkpoint', walFrames: row.log, checkpointedFrames: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ kind: 'error', message: String(error && error.message || error) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(options: WalCheckpointerOptions) {
    const driver = packageRequire.resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Its own flags, not the parent's: an inherited --input-type=module would read this CommonJS as ESM.
      execArgv: [],
      workerData: {
        driver,
        filename: options.filename,
        intervalMs: options.intervalMs ?? 500,
        minWalBytes: options.minWalBytes ?? 4 * 1024 * 1024,
      },
    });
    this.#worker.on(
      'message',
      (m: { kind: 'checkpoint'; walFrames: number; checkpointedFrames: number } | { kind: 'error'; message: string }) => {
        if (m.kind === 'checkpoint') options.onCheckpoint?.({ walFrames: m.walFrames, checkpointedFrames: m.checkpointedFrames });
        else options.onError?.(new Error(`WAL checkpoint failed: ${m.message}`));
      },
    );
    this.#worker.on('error', (error) => options.onError?.(error));
    this.#exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    // A server that is done must not be kept alive by its checkpointer.
    this.#worker.unref();
  }

  /** Stops the worker and closes its connection (a checkpoint under way finishes first). */
  stop(): Promise<void> {
    // Ignored by a worker that has already exited (it failed): then #exited has settled.
    // Held again until it exits: an unref'd worker alone would let the process end mid-wait.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    return this.#exited;
  }
}
