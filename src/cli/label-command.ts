import type { Command } from 'commander';
import { labelInput } from '../core/label-cache.ts';
import { renderLabelHtml } from '../core/label/render-label.ts';
import { withCore } from './app-commands.ts';
import { dataOption, storeOption, type StoreOptions } from './options.ts';

export function registerLabelCommand(program: Command): void {
  program
    .command('label')
    .description('write the printable label (HTML) of an order to stdout')
    .requiredOption('--order-id <id>', 'order_id')
    .requiredOption('--delivery-id <id>', 'delivery_id')
    .option('--print-type <n>', '0 = two-part 100×180 mm, 1 = single-part 76×130 mm', '0')
    .option('--appid <id>', 'app of the order (default: the only app holding that order_id)')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: StoreOptions & { orderId: string; deliveryId: string; printType: string; appid?: string }) => {
      const html = await withCore(opts, async (core) => {
        const appids = opts.appid ? [opts.appid] : (await core.apps.list()).map((a) => a.appid);
        for (const appid of appids) {
          const order = await core.store.orders.get(appid, opts.orderId);
          if (order && order.delivery_id === opts.deliveryId) return renderLabelHtml(labelInput(order), opts.printType === '1' ? 1 : 0);
        }
        return undefined;
      });
      if (html === undefined) {
        console.error(`no order ${opts.orderId} with delivery_id ${opts.deliveryId}`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(html);
    });
}
