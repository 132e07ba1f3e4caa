/**
 * `wxlogistics faults add|list|remove|clear`: fault rules live in a running
 * server's memory, so these commands talk to its admin API
 * (`/_wxl/api/faults`) rather than to the store.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FaultRule } from '../faults/fault-rule.ts';

interface ServerOptions {
  url: string;
  adminKey?: string;
}

const serverOptions = (command: Command): Command =>
  command
    .addOption(new Option('--url <url>', 'base URL of the running server').default('http://127.0.0.1:8088'))
    .addOption(new Option('--admin-key <key>', 'its admin key').env('WXL_ADMIN_KEY'));

class CliError extends Error {}

async function callAdmin(o: ServerOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  if (!o.adminKey) throw new CliError('the admin key is needed: --admin-key KEY or WXL_ADMIN_KEY (printed when the server starts)');
  const url = `${o.url.replace(/\/+$/, '')}/_wxl/api/faults${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { 'x-wxl-admin-key': o.adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new CliError(
      `no wxlogistics server answers at ${o.url}${cause ? ` (${cause})` : ''}: start one with \`wxlogistics serve\` or pass --url`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${url} answered HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) throw new CliError((json as { error?: string }).error ?? `HTTP ${res.status}`);
  return json;
}

/** Runs a command, turning its failures into one line on stderr and exit code 1. */
const run =
  <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
  async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      console.error(error.message);
      process.exitCode = 1;
    }
  };

/** One line per rule: id, what it matches, what it does, how often it fired. */
export function describeRule(rule: FaultRule): string {
  const match = [
    rule.api,
    rule.appid && `appid=${rule.appid}`,
    rule.event && `event=${rule.event}`,
    rule.order_id && `order_id=${rule.order_id}`,
    rule.delivery_id && `delivery_id=${rule.delivery_id}`,
    rule.probability !== undefined && `p=${rule.probability}${rule.seed !== undefined ? ` seed=${rule.seed}` : ''}`,
  ].filter(Boolean);
  const effect = [
    rule.errcode !== undefined && `errcode ${rule.errcode}${rule.errmsg ? ` "${rule.errmsg}"` : ''}`,
    rule.connection && `connection ${rule.connection}`,
    rule.push && `push ${rule.push}`,
    rule.delay_ms !== undefined && `delay ${rule.delay_ms} ms`,
  ].filter(Boolean);
  const times = rule.times !== undefined ? `${rule.hits}/${rule.times}` : `${rule.hits}`;
  return `${rule.id}\t${match.join(' ')}\t${effect.join(', ')}\thits=${times}`;
}

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`--${name} must be an integer`);
  return n;
};
const num = (name: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`--${name} must be a number`);
  return n;
};

interface AddFlags extends ServerOptions {
  json?: string;
  api?: string;
  appid?: string;
  orderId?: string;
  deliveryId?: string;
  event?: string;
  times?: number;
  probability?: number;
  seed?: string;
  errcode?: number;
  errmsg?: string;
  deliveryResultcode?: number;
  deliveryResultmsg?: string;
  delayMs?: number;
  connection?: string;
  push?: string;
}

/** The rule the flags describe: `--json` first, each flag over it (snake_case names of the rule). */
export function ruleFromFlags(flags: AddFlags): Record<string, unknown> {
  let rule: Record<string, unknown> = {};
  if (flags.json !== undefined) {
    try {
      rule = JSON.parse(flags.json) as Record<string, unknown>;
    } catch {
      throw new CliError('--json is not JSON');
    }
  }
  const fields: [string, unknown][] = [
    ['api', flags.api],
    ['appid', flags.appid],
    ['order_id', flags.orderId],
    ['delivery_id', flags.deliveryId],
    ['event', flags.event],
    ['times', flags.times],
    ['probability', flags.probability],
    ['seed', flags.seed],
    ['errcode', flags.errcode],
    ['errmsg', flags.errmsg],
    ['delivery_resultcode', flags.deliveryResultcode],
    ['delivery_resultmsg', flags.deliveryResultmsg],
    ['delay_ms', flags.delayMs],
    ['connection', flags.connection],
    ['push', flags.push],
  ];
  for (const [key, value] of fields) if (value !== undefined) rule[key] = value;
  return rule;
}

export function registerFaultsCommands(program: Command): void {
  const faults = program
    .command('faults')
    .description('fault rules of a running server (its admin API): make WeChat calls and pushes fail on purpose');

  serverOptions(
    faults
      .command('add')
      .description('add a rule; prints it as JSON, with its id')
      .option('--json <rule>', 'the whole rule as JSON (flags override its fields)')
      .option('--api <name>', "business API (addOrder, getOrder, …), '*', getAccessToken, getStableAccessToken or push")
      .option('--appid <id>', 'only calls of this app')
      .option('--order-id <id>', 'only calls naming this order_id')
      .option('--delivery-id <id>', 'only calls naming this delivery_id')
      .option('--event <name>', 'push rules: add_express_path or update_business_bind_result')
      .option('--times <n>', 'fire for the next N matching calls', int('times'))
      .option('--probability <p>', 'fire with this chance (0–1)', num('probability'))
      .option('--seed <seed>', 'seed of the probability draws (reproducible)')
      .option('--errcode <code>', 'answer this errcode', int('errcode'))
      .option('--errmsg <text>', 'its errmsg (default: the errcode table)')
      .option('--delivery-resultcode <code>', 'carrier code beside the errcode (9300501)', int('delivery-resultcode'))
      .option('--delivery-resultmsg <text>', 'carrier text beside the errcode (9300501)')
      .option('--delay-ms <ms>', 'answer (or push) this much later', int('delay-ms'))
      .option('--connection <how>', 'reset | hang')
      .option('--push <how>', 'push rules: drop | duplicate'),
  ).action(
    run(async (flags: AddFlags) => {
      console.log(JSON.stringify(await callAdmin(flags, 'POST', '', ruleFromFlags(flags))));
    }),
  );

  serverOptions(
    faults.command('list').description('the rules, with how often each fired').option('--json', 'one JSON rule per line'),
  ).action(
    run(async (flags: ServerOptions & { json?: boolean }) => {
      const { faults: rules } = (await callAdmin(flags, 'GET', '')) as { faults: FaultRule[] };
      for (const rule of rules) console.log(flags.json ? JSON.stringify(rule) : describeRule(rule));
    }),
  );

  serverOptions(faults.command('remove').description('remove one rule').argument('<id>', 'rule id')).action(
    run(async (id: string, flags: ServerOptions) => {
      await callAdmin(flags, 'DELETE', `/${encodeURIComponent(id)}`);
      console.log(`removed fault rule ${id}`);
    }),
  );

  serverOptions(faults.command('clear').description('remove every rule')).action(
    run(async (flags: ServerOptions) => {
      const { cleared } = (await callAdmin(flags, 'DELETE', '')) as { cleared: number };
      console.log(`cleared ${cleared} fault rule${cleared === 1 ? '' : 's'}`);
    }),
  );
}
