import { nowSeconds, type Clock } from './clock.ts';
import { WxError } from './errors.ts';
import { requireFields, str, type Body } from './validate.ts';
import type { Store } from '../storage/types.ts';

const MAX_TAGS_PER_PRINTER = 10;

/** updatePrinter / getPrinter (business-api.md §8, §11). */
export class PrinterService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async updatePrinter(appid: string, body: Body) {
    requireFields(body, ['openid', 'update_type']);
    if (body.update_type !== 'bind' && body.update_type !== 'unbind') throw new WxError('argsError', 'update_type must be bind or unbind');
    const openid = str(body.openid);
    if (body.update_type === 'unbind') {
      if (!(await this.store.printers.delete(appid, openid))) throw new WxError('argsError', `openid ${openid} is not a printer`);
      return { errcode: 0, errmsg: 'ok' };
    }
    const tagidList = str(body.tagid_list);
    // Comma-separated tag ids, no spaces, at most 10 per printer (§11).
    if (tagidList !== '') {
      const tags = tagidList.split(',');
      if (tags.length > MAX_TAGS_PER_PRINTER || tags.some((t) => !/^\d+$/.test(t))) {
        throw new WxError('argsError', 'tagid_list is comma-separated numeric tag ids without spaces, at most 10');
      }
    }
    await this.store.printers.upsert({ appid, openid, tagid_list: tagidList, updated_at: nowSeconds(this.clock) });
    return { errcode: 0, errmsg: 'ok' };
  }

  /**
   * `tagid_list` is an array of tag ids (business-api.md §11: `["123", "456"]`): the
   * tags of every printer, split from updatePrinter's comma-separated string, each
   * once, in printer order (docs/deviations.md).
   */
  async getPrinter(appid: string) {
    const printers = await this.store.printers.list(appid);
    const tags = new Set(printers.flatMap((p) => (p.tagid_list === '' ? [] : p.tagid_list.split(','))));
    return {
      errcode: 0,
      errmsg: 'ok',
      count: printers.length,
      openid: printers.map((p) => p.openid),
      tagid_list: [...tags],
    };
  }
}
