import { Option, type Command } from 'commander';
import { certifyCarrier } from '../certify/certify-carrier.ts';
import { formatReportJson, formatReportTable } from '../certify/certify-report.ts';
import { isValidEncodingAesKey } from '../push/aes-envelope.ts';

type CheckOptions = {
  url: string;
  token: string;
  aesKey?: string;
  mode: 'plain' | 'compatible' | 'secure';
  format: 'xml' | 'json';
  appid: string;
  username: string;
  bizId: string;
  bizPwd: string;
  shopAppid: string;
  waybillId?: string;
  pickedUp?: string;
  timeoutMs: string;
  strict?: boolean;
  json?: boolean;
};

/**
 * Add `check` to the `carrier` command group: certify a carrier's push endpoint against events.md §3.
 * Exit status 0 only when no check fails (with `--strict`, no warning either).
 * @example registerCarrierCheckCommand(program.command('carrier'))
 */
export function registerCarrierCheckCommand(carrier: Command): void {
  carrier
    .command('check')
    .description("certify a carrier's server: drive it through add_waybill, cancel_waybill, check_biz and get_quota as WeChat would")
    .requiredOption('--url <url>', "the carrier's push URL (消息推送 URL)")
    .requiredOption('--token <token>', 'the push Token')
    .option('--aes-key <key>', 'EncodingAESKey (43 chars), needed for compatible and secure mode')
    .addOption(new Option('--mode <mode>', 'message encryption mode').choices(['plain', 'compatible', 'secure']).default('plain'))
    .addOption(new Option('--format <format>', 'data format').choices(['xml', 'json']).default('xml'))
    .option('--appid <appid>', "the carrier Mini Program's appid (the encrypted messages' trailer)", 'wxcarriercert00001')
    .option('--username <gh_id>', "the carrier Mini Program's original ID, every push's ToUserName", 'gh_carriercert01')
    .option('--biz-id <id>', 'an account the carrier approves', 'wxlcert_biz')
    .option('--biz-pwd <pwd>', 'its password', 'wxlcert_pwd')
    .option('--shop-appid <appid>', "the merchant's appid sent as ShopAppID", 'wxlcertshop000001')
    .option('--waybill-id <id>', 'a WeChat-allocated WayBillID from your number segment (default: a made-up one)')
    .option(
      '--picked-up <order_id:waybill_id>',
      'an existing picked-up waybill for the cancel-after-pickup check (default: the Remark convention)',
    )
    .option('--timeout-ms <ms>', "reply deadline (WeChat's is 5000)", '5000')
    .option('--strict', 'warnings fail too')
    .option('--json', 'the report as JSON (for CI)')
    .action(async (opts: CheckOptions) => {
      if (opts.mode !== 'plain' && (opts.aesKey === undefined || !isValidEncodingAesKey(opts.aesKey))) {
        console.error(`${opts.mode} mode needs --aes-key: EncodingAESKey must be 43 characters of [a-zA-Z0-9]`);
        process.exitCode = 2;
        return;
      }
      const timeoutMs = Number(opts.timeoutMs);
      const pickedUp = opts.pickedUp === undefined ? undefined : /^([^:]+):(.+)$/.exec(opts.pickedUp);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || (opts.pickedUp !== undefined && !pickedUp)) {
        console.error(
          !pickedUp && opts.pickedUp !== undefined ? '--picked-up must be ORDER_ID:WAYBILL_ID' : '--timeout-ms must be a positive integer',
        );
        process.exitCode = 2;
        return;
      }
      const report = await certifyCarrier({
        url: opts.url,
        token: opts.token,
        ...(opts.aesKey === undefined ? {} : { encodingAesKey: opts.aesKey }),
        mode: opts.mode,
        format: opts.format,
        appid: opts.appid,
        username: opts.username,
        bizId: opts.bizId,
        bizPwd: opts.bizPwd,
        shopAppId: opts.shopAppid,
        timeoutMs,
        ...(opts.waybillId === undefined ? {} : { waybillId: opts.waybillId }),
        ...(pickedUp ? { pickedUp: { orderId: pickedUp[1]!, waybillId: pickedUp[2]! } } : {}),
        strict: opts.strict === true,
      });
      process.stdout.write(opts.json ? formatReportJson(report) : formatReportTable(report));
      if (!report.ok) process.exitCode = 1;
    });
}
