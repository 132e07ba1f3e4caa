// What the tracking action types look like: name, colour, icon (business-api.md §13).
import { icons } from './icons.js';

export const STAGES = {
  0: { zh: '已下单', en: 'created', tone: 'slate', icon: icons.doc },
  100001: { zh: '揽件成功', en: 'picked up', tone: 'blue', icon: icons.box },
  100002: { zh: '揽件失败', en: 'pickup failed', tone: 'red', icon: icons.alert },
  100003: { zh: '分配业务员', en: 'courier assigned', tone: 'slate', icon: icons.user },
  200001: { zh: '运输中', en: 'in transit', tone: 'indigo', icon: icons.truck },
  300002: { zh: '派送中', en: 'out for delivery', tone: 'amber', icon: icons.bike },
  300003: { zh: '已签收', en: 'signed', tone: 'green', icon: icons.check },
  300004: { zh: '签收失败', en: 'delivery failed', tone: 'red', icon: icons.alert },
  400001: { zh: '已取消', en: 'cancelled', tone: 'gray', icon: icons.x },
  400002: { zh: '滞留', en: 'held', tone: 'orange', icon: icons.pause },
};

export const stage = (actionType) =>
  STAGES[actionType] ?? { zh: `状态 ${actionType}`, en: `action ${actionType}`, tone: 'slate', icon: icons.doc };

/** The carrier buttons of the order page, with WeChat-style default messages. */
export const CARRIER_ACTIONS = [
  { action_type: 100001, label: '揽件', en: 'pickup', msg: '快递员已揽收包裹，正在发往分拣中心' },
  { action_type: 200001, label: '运输', en: 'transit', msg: '快件已到达转运中心，正发往下一站' },
  { action_type: 300002, label: '派送', en: 'out for delivery', msg: '快件正在派送中，快递员将尽快为您送达' },
  { action_type: 300003, label: '签收', en: 'signed', msg: '快件已签收，签收人：本人，感谢使用' },
  { action_type: 300004, label: '签收失败', en: 'failed', msg: '快件派送失败：收件人电话无人接听' },
];

/** The status of an order for lists: cancelled wins, else its newest tracking node. */
export function orderStage(order) {
  return order.order_status === 1 ? STAGES[400001] : stage(order.last_action_type);
}
