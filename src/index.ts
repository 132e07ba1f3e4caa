/**
 * The package's main entry (`import { startWxLogistics } from 'wxlogistics'`):
 * an in-process server for test suites and its public types. No side effects
 * at import; the PostgreSQL driver is loaded only when a `{ url }` store is used.
 * The typed client is the other entry point, `wxlogistics/client`.
 */
export {
  startWxLogistics,
  DEFAULT_CLOUD_ENV,
  type CreateWxAppOptions,
  type StartWxLogisticsOptions,
  type WxApp,
  type WxClock,
  type WxFaults,
  type WxLogistics,
  type WxLogisticsStore,
} from './in-process/start.ts';
export { PushWaitTimeoutError, type PushEvent, type PushInbox, type WaitForOptions } from './in-process/push-inbox.ts';
export type { AddExpressPathEvent, PathAction, UpdateBusinessBindResultEvent } from './core/push-events.ts';
export {
  FaultRuleError,
  type FaultRule,
  type FaultRuleInput,
  type ConnectionEffect,
  type PushEffect,
  type PushEventName,
} from './faults/fault-rule.ts';
