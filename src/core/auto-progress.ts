import { createHash } from 'node:crypto';
import { FINAL_ACTIONS } from './action-types.ts';
import { obj, str, type Body } from './validate.ts';
import type { OrderRecord, ScheduledStepRecord } from '../storage/types.ts';

/**
 * Auto-progress: a simulated order moves pickup → transit → out
 * for delivery → signed as the clock advances, each step reported exactly as a
 * carrier would (a node, an event). Optionally an exception ends it early.
 */
export interface AutoProgressSettings {
  enabled: boolean;
  /** Seconds after the order's creation, and the action then; default DEFAULT_TIMELINE. */
  timeline?: { after_seconds: number; action_type: number }[];
  /** Chance (0–1) that an order takes the exception branch, decided per order from `seed`. */
  exception_probability?: number;
  seed?: string;
}

export const DEFAULT_TIMELINE: NonNullable<AutoProgressSettings['timeline']> = [
  { after_seconds: 30 * 60, action_type: 100003 },
  { after_seconds: 60 * 60, action_type: 100001 },
  { after_seconds: 4 * 3600, action_type: 200001 },
  { after_seconds: 10 * 3600, action_type: 200001 },
  { after_seconds: 16 * 3600, action_type: 300002 },
  { after_seconds: 18 * 3600, action_type: 300003 },
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '胡', '朱', '郭'];
const GIVEN = ['伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '明', '超', '刚', '平', '辉', '鹏', '华', '飞'];
const HUB_DELAYS = ['天气原因', '路况拥堵', '中转场爆仓', '航班延误'];

const pick = <T>(list: readonly T[], h: Buffer, at: number): T => list[h.readUInt16BE(at) % list.length]!;

function courier(h: Buffer, at: number) {
  const name = pick(SURNAMES, h, at) + pick(GIVEN, h, at + 2);
  const phone = `1${pick(['3', '5', '7', '8'], h, at + 4)}${String(h.readUInt32BE(at + 6) % 1e9).padStart(9, '0')}`;
  return { name, phone };
}

const cityOf = (party: Body | undefined) => str(party?.city) || str(party?.province) || '本地';

/** The nodes an order will get, from its own data and a seed: same order, same story. */
export function planSteps(order: OrderRecord, settings: AutoProgressSettings): ScheduledStepRecord[] {
  const body = JSON.parse(order.body) as Body;
  const sender = obj(body.sender);
  const receiver = obj(body.receiver);
  const h = createHash('sha256')
    .update(`${settings.seed ?? ''}\u0000${order.appid}\u0000${order.order_id}`)
    .digest();
  const pickup = courier(h, 0);
  const delivery = courier(h, 10);
  const from = cityOf(sender);
  const to = cityOf(receiver);
  const timeline = settings.timeline ?? DEFAULT_TIMELINE;
  let transit = 0;
  const messages = (type: number): string => {
    switch (type) {
      case 100003:
        return `【${from}】已分配快递员${pickup.name}，电话${pickup.phone}，请保持电话畅通`;
      case 100001:
        return `【${from}${str(sender?.area)}营业点】快递员${pickup.name}（${pickup.phone}）已揽收`;
      case 200001:
        return transit++ === 0 ? `快件已从【${from}转运中心】发出，下一站【${to}转运中心】` : `快件已到达【${to}转运中心】`;
      case 300002:
        return `【${to}${str(receiver?.area)}营业点】快递员${delivery.name}（${delivery.phone}）正在为您派件`;
      case 300003:
        return `快件已签收，签收人：${str(receiver?.name) || '本人'}。如有疑问请联系派件员${delivery.name}（${delivery.phone}）`;
      case 100002:
        return `快递员${pickup.name}取件失败：联系不上寄件人`;
      case 400002:
        return `快件在【${to}转运中心】滞留：${pick(HUB_DELAYS, h, 20)}`;
      case 300004:
        return `签收失败：收件人拒收，快件将退回。派件员${delivery.name}（${delivery.phone}）`;
      default:
        return `物流状态更新（${type}）`;
    }
  };
  // The exception branch, if drawn, replaces the first step of its stage and ends the story there.
  const exceptional = h.readUInt32BE(24) / 0xffffffff < (settings.exception_probability ?? 0);
  const stage = exceptional ? pick([100002, 400002, 300004], h, 28) : undefined;
  const stageOf = (t: number) =>
    stage === 100002 ? t === 100001 : stage === 400002 ? t === 200001 : stage === 300004 ? t === 300003 : false;
  const steps: ScheduledStepRecord[] = [];
  for (const [i, s] of timeline.entries()) {
    const type = stage !== undefined && stageOf(s.action_type) ? stage : s.action_type;
    steps.push({
      appid: order.appid,
      order_id: order.order_id,
      step: i + 1,
      due_at: order.created_at + s.after_seconds,
      action_type: type,
      action_msg: messages(type),
    });
    if (FINAL_ACTIONS.has(type)) break;
  }
  return steps;
}

export const autoProgressKey = (appid: string) => `autoprogress:${appid}`;
