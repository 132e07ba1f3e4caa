/** The standard action_type enum of business-api.md §13 (testUpdateOrder accepts only these). */
export const ACTION_TYPES = {
  100001: '揽件成功',
  100002: '揽件失败',
  100003: '分配业务员',
  200001: '更新运输轨迹',
  300002: '开始派送',
  300003: '签收成功',
  300004: '签收失败',
  400001: '订单取消',
  400002: '订单滞留',
} as const satisfies Record<number, string>;

export type ActionType = keyof typeof ACTION_TYPES;

export const isActionType = (n: unknown): n is ActionType => typeof n === 'number' && Object.hasOwn(ACTION_TYPES, n);

export const ORDER_CANCELLED_ACTION = 400001;

/** Actions after which a waybill moves no further (auto-progress stops). */
export const FINAL_ACTIONS: ReadonlySet<number> = new Set([100002, 300003, 300004, 400001, 400002]);
