/** Starting a benchmark server as a child process and reading its memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Child {
  url: string;
  pid: number;
  /** VmRSS and VmHWM (peak) in MB, from /proc/<pid>/status. */
  memory(): { rssMb: number; peakMb: number };
  /** CPU time (user + system) the process has used so far, in seconds (/proc/<pid>/stat). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** What bin/wxlogistics.js's shebang (`#!/usr/bin/env -S NAME=value… node --flag…`) gives the server: its environment and node flags. */
const shebang = readFileSync(fileURLToPath(new URL('../bin/wxlogistics.js', import.meta.url)), 'utf8')
  .split('\n', 1)[0]!
  .split(/\s+/)
  .slice(2);
const nodeAt = shebang.indexOf('node');
export const SERVER_ENV: Record<string, string> = Object.fromEntries(
  shebang.slice(0, nodeAt).map((kv) => kv.split('=', 2) as [string, string]),
);
export const SERVER_NODE_FLAGS = shebang.slice(nodeAt + 1);

/** Node flags written as one string (`BENCH_NODE_FLAGS`, a variant's `flags=`), for startChild's `nodeFlags`. */
export const nodeFlagsOf = (text: string | undefined): string[] => (text ?? '').split(/\s+/).filter(Boolean);

/**
 * The environment a server child gets: this process's, with SERVER_ENV over it — except a
 * SERVER_ENV variable set to '' here, which the server then runs without (to measure its effect).
 */
export function serverEnv(): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...SERVER_ENV };
  for (const name of Object.keys(SERVER_ENV)) if (process.env[name] === '') delete merged[name];
  return merged;
}

/** Runs `node [--import tsx] bench/<script> ...args` (tsx only for .ts scripts) and waits for its {"url"} line. */
export async function startChild(script: string, args: string[], nodeFlags: string[] = [], serverFlags?: string[]): Promise<Child> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const loader = file.endsWith('.ts') ? ['--import', 'tsx'] : [];
  // Our server gets the flags users get from the bin's shebang (unless told otherwise).
  const ours = file.endsWith('server-child.mjs');
  serverFlags ??= ours ? SERVER_NODE_FLAGS : [];
  const proc = spawn(process.execPath, [...serverFlags, ...nodeFlags, ...loader, file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: ours ? serverEnv() : process.env,
  });
  const url = await firstLineUrl(proc);
  const pid = proc.pid as number;
  return {
    url,
    pid,
    memory: () => ({ rssMb: procStatusMb(pid, 'VmRSS'), peakMb: procStatusMb(pid, 'VmHWM') }),
    cpuSeconds: () => procCpuSeconds(pid),
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

function firstLineUrl(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    proc.once('exit', (code) => reject(new Error(`child exited (${code}) before listening`)));
  });
}

function procStatusMb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 1/100 s). */
function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
