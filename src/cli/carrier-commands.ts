import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CarrierView } from '../core/carrier-registry.ts';
import { withCore } from './app-commands.ts';
import { dataOption, storeOption, type StoreOptions } from './options.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

interface AddOptions extends StoreOptions {
  deliveryId: string;
  name?: string;
  url: string;
  token: string;
  aesKey?: string;
  mode: string;
  format: string;
  service: string[];
  template?: string;
  waybillIds: string;
  review?: boolean;
  appid?: string;
  secret?: string;
  json?: boolean;
}

const line = (c: CarrierView): string =>
  `${c.delivery_id}  ${c.name}  app ${c.appid}  ${c.mode}/${c.format} → ${c.url}  services ${c.services.map((s) => `${s.service_type}:${s.service_name}`).join(', ')}` +
  `  waybill ids: ${c.waybill_source}${c.review ? '  review' : ''}${c.template ? '  template' : ''}${c.takes_over_built_in ? '  (replaces the simulation)' : ''}`;

/**
 * `wxlogistics carrier …`: register real carriers that plug in over WeChat's provider
 * protocol (events pushed to their server, provider API called with their app's token).
 * Answers the `carrier` command so that other subcommands can join it.
 * @example wxlogistics carrier add --delivery-id ACME --name 极速快递 --url http://127.0.0.1:9000/wx --token abc123 --service "0:标准快递" --json
 */
export function registerCarrierCommands(program: Command): Command {
  const carrier = program
    .command('carrier')
    .description('registered carriers: real carrier servers behind addOrder, cancelOrder, bindAccount, getQuota');
  carrier
    .command('add')
    .description('register a carrier and create its app (a running server on the same store picks it up within a second)')
    .requiredOption('--delivery-id <id>', 'delivery_id: a built-in one (the carrier replaces its simulation) or a new one')
    .option('--name <name>', 'delivery_name (default: the built-in name)')
    .requiredOption('--url <url>', "the carrier server's push URL")
    .requiredOption('--token <token>', 'its Token (3-32 letters or digits)')
    .option('--aes-key <key>', 'its EncodingAESKey (43 characters of [a-zA-Z0-9]); needed in compatible and secure mode')
    .option('--mode <mode>', 'plain | compatible | secure', 'plain')
    .option('--format <format>', 'xml | json', 'xml')
    .option('--service <type:name>', 'a service type, e.g. "0:标准快递" (repeatable; default: the built-in services)', collect, [])
    .option('--template <file>', "label template in WeChat's template language (rendered into print_html)")
    .option(
      '--waybill-ids <source>',
      'segment: add_waybill carries a number from our segment; carrier: WayBillID "0", the carrier allocates',
      'segment',
    )
    .option('--review', "bindings wait for the carrier's updateBusiness after an approving check_biz (as EMS reviews)")
    .option('--appid <id>', "the carrier's app (default: a new random appid)")
    .option('--secret <secret>', "the new app's secret (default: random)")
    .option('--json', 'print the carrier as JSON, with "appid" and "secret"')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: AddOptions) => {
      const template = opts.template === undefined ? undefined : readFileSync(opts.template, 'utf8');
      const created = await withCore(opts, (core) =>
        core.carrierRegistry.add({
          delivery_id: opts.deliveryId,
          name: opts.name,
          url: opts.url,
          token: opts.token,
          encoding_aes_key: opts.aesKey,
          mode: opts.mode as never,
          format: opts.format as never,
          services: opts.service.length ? opts.service : undefined,
          template,
          waybill_source: opts.waybillIds as never,
          review: opts.review,
          appid: opts.appid,
          secret: opts.secret,
        }),
      );
      if (opts.json) return console.log(JSON.stringify(created));
      console.log(line(created));
      console.log(`carrier app  appid: ${created.appid}${created.secret ? `  secret: ${created.secret}` : ''}`);
    });
  carrier
    .command('list')
    .description('list registered carriers')
    .option('--json', 'print JSON lines')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: StoreOptions & { json?: boolean }) => {
      const list = await withCore(opts, (core) => core.carrierRegistry.list());
      for (const c of list) console.log(opts.json ? JSON.stringify(c) : line(c));
    });
  carrier
    .command('remove')
    .description('unregister a carrier (a built-in delivery_id goes back to its simulation); its app and orders stay')
    .requiredOption('--delivery-id <id>', 'the carrier')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: StoreOptions & { deliveryId: string }) => {
      const removed = await withCore(opts, (core) => core.carrierRegistry.remove(opts.deliveryId));
      if (!removed) throw new Error(`no registered carrier ${opts.deliveryId}`);
      console.log(`removed carrier ${opts.deliveryId}`);
    });
  return carrier;
}
