import { autoProgressKey, planSteps, type AutoProgressSettings } from './auto-progress.ts';
import { FINAL_ACTIONS } from './action-types.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { ORDER_STATUS_CANCELLED } from './order-service.ts';
import type { TrackingService } from './tracking-service.ts';
import type { OrderRecord, Repositories, Store } from '../storage/types.ts';

/** Plans auto-progress for new orders and applies the steps that are due. */
export class ProgressRunner {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly tracking: TrackingService,
  ) {}

  async settings(appid: string, repos: Repositories = this.store): Promise<AutoProgressSettings | undefined> {
    const raw = await repos.settings.get(autoProgressKey(appid));
    return raw ? (JSON.parse(raw) as AutoProgressSettings) : undefined;
  }

  async configure(appid: string, settings: AutoProgressSettings): Promise<void> {
    const p = settings.exception_probability;
    if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError('exception_probability must be between 0 and 1');
    for (const s of settings.timeline ?? []) {
      if (!(Number.isInteger(s.after_seconds) && s.after_seconds >= 0 && Number.isInteger(s.action_type))) {
        throw new RangeError('timeline entries are {after_seconds: integer ≥ 0, action_type: integer}');
      }
    }
    await this.store.settings.put(autoProgressKey(appid), JSON.stringify(settings));
  }

  /** Called inside addOrder's transaction: schedules the order's story when its app auto-progresses. */
  async planNewOrder(tx: Repositories, order: OrderRecord): Promise<void> {
    const settings = await this.settings(order.appid, tx);
    if (settings?.enabled) await tx.schedule.insert(planSteps(order, settings));
  }

  /** Applies every step due by now, in time order; answers how many were applied. */
  async runDue(): Promise<number> {
    let applied = 0;
    for (;;) {
      const due = await this.store.schedule.due(nowSeconds(this.clock), 500);
      if (due.length === 0) break;
      for (const step of due) {
        const done = await this.store.transaction(async (tx) => {
          await tx.orders.lock(step.appid, step.order_id);
          if (!(await tx.schedule.take(step.appid, step.order_id, step.step))) return false; // another instance took it
          const order = await tx.orders.get(step.appid, step.order_id);
          if (!order || order.order_status === ORDER_STATUS_CANCELLED) return false;
          await this.tracking.appendNode(tx, order, {
            action_time: step.due_at,
            action_type: step.action_type,
            action_msg: step.action_msg,
          });
          if (FINAL_ACTIONS.has(step.action_type)) await tx.schedule.clear(step.appid, step.order_id);
          return true;
        });
        if (done) applied++;
      }
    }
    if (applied > 0) this.tracking.onOutboxWrite();
    return applied;
  }
}
