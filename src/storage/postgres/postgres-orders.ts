/**
 * Orders, their path nodes and auto-progress steps on PostgreSQL.
 * - orders (appid, order_id) PK, waybill_id UNIQUE; waybill_data is JSON text.
 * - path_nodes (appid, order_id, seq) PK: appending locks the order row first
 *   (the version bump), so concurrent appends to one order get seq 1, 2, 3 …
 * - scheduled_steps (appid, order_id, step) PK: `take` is DELETE, so exactly one
 *   worker gets true for a step.
 */
import type { OrderHead, OrderRecord, OrderSearch, OrderStore, PathNodeRecord, ScheduleStore, ScheduledStepRecord } from '../types.ts';
import { named, type Db } from './pg-db.ts';
import { orderSearchSql } from '../order-search-sql.ts';

type OrderRow = Omit<OrderRecord, 'waybill_data'> & { waybill_data: string };

const toOrder = (row: OrderRow): OrderRecord => ({ ...row, waybill_data: JSON.parse(row.waybill_data) });

const ORDER_HEAD = named(
  'wxl_order_head',
  'SELECT delivery_id, waybill_id, version, order_status FROM orders WHERE appid = $1 AND order_id = $2',
);
const ORDER_GET = named('wxl_order_get', 'SELECT * FROM orders WHERE appid = $1 AND order_id = $2');

export function postgresOrders(db: Db): OrderStore {
  const get = async (appid: string, orderId: string): Promise<OrderRecord | undefined> => {
    const row = (await db.query<OrderRow>(ORDER_GET, [appid, orderId])).rows[0];
    return row && toOrder(row);
  };
  const count = async (d: Db, appid: string, orderId: string): Promise<number> =>
    Number(
      (await d.query<{ n: number }>('SELECT COUNT(*) AS n FROM path_nodes WHERE appid = $1 AND order_id = $2', [appid, orderId])).rows[0]
        ?.n,
    );

  return {
    // ON CONFLICT waits for a concurrent inserter of the same key; under READ COMMITTED
    // the following SELECT then sees its committed row (the other instance won).
    async insertIfAbsent(o) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const r = await db.query(
          `INSERT INTO orders (appid, order_id, delivery_id, waybill_id, biz_id, openid, body, order_status, version, waybill_data, last_action_type, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (appid, order_id) DO NOTHING`,
          [
            o.appid,
            o.order_id,
            o.delivery_id,
            o.waybill_id,
            o.biz_id,
            o.openid,
            o.body,
            o.order_status,
            o.version,
            JSON.stringify(o.waybill_data),
            o.last_action_type,
            o.created_at,
            o.updated_at,
          ],
        );
        if (r.rowCount === 1) return { inserted: true as const };
        const existing = await get(o.appid, o.order_id);
        if (existing) return { inserted: false as const, existing };
        // The conflicting row was deleted in between (reset): try the insert again.
      }
      throw new Error(`orders.insertIfAbsent(${o.appid}, ${o.order_id}): the order kept appearing and disappearing`);
    },
    get,
    async setStatus(appid, orderId, status, at) {
      await db.query('UPDATE orders SET order_status = $1, updated_at = $2, version = version + 1 WHERE appid = $3 AND order_id = $4', [
        status,
        at,
        appid,
        orderId,
      ]);
    },
    pathCount: (appid, orderId) => count(db, appid, orderId),
    appendPathNode(appid, orderId, node, at) {
      return db.atomic(async (tx) => {
        const bumped = await tx.query(
          'UPDATE orders SET version = version + 1, updated_at = $1, last_action_type = $2 WHERE appid = $3 AND order_id = $4',
          [at, node.action_type, appid, orderId],
        );
        if (bumped.rowCount !== 1) throw new Error(`orders.appendPathNode: no order ${orderId} in app ${appid}`);
        await tx.query(
          `INSERT INTO path_nodes (appid, order_id, seq, action_time, action_type, action_msg)
           VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM path_nodes WHERE appid = $1 AND order_id = $2), $3, $4, $5)`,
          [appid, orderId, node.action_time, node.action_type, node.action_msg],
        );
        return count(tx, appid, orderId);
      });
    },
    async getByWaybill(waybillId) {
      const row = (await db.query<OrderRow>('SELECT * FROM orders WHERE waybill_id = $1', [waybillId])).rows[0];
      return row && toOrder(row);
    },
    async getHead(appid, orderId) {
      return (await db.query<OrderHead>(ORDER_HEAD, [appid, orderId])).rows[0];
    },
    async lock(appid, orderId) {
      await db.query('SELECT 1 FROM orders WHERE appid = $1 AND order_id = $2 FOR UPDATE', [appid, orderId]);
    },
    async listPathNodes(appid, orderId) {
      return (
        await db.query<PathNodeRecord>(
          'SELECT action_time, action_type, action_msg FROM path_nodes WHERE appid = $1 AND order_id = $2 ORDER BY seq',
          [appid, orderId],
        )
      ).rows;
    },
    async search(query) {
      const { text, values } = searchSql(query);
      return (await db.query<OrderRow>(text, values)).rows.map(toOrder);
    },
  };
}

const searchSql = (query: OrderSearch) => orderSearchSql(query, { placeholder: (n) => `$${n}`, collate: ' COLLATE "C"' });

export function postgresSchedule(db: Db): ScheduleStore {
  return {
    insert(steps) {
      return db.atomic(async (tx) => {
        for (const st of steps) {
          await tx.query(
            'INSERT INTO scheduled_steps (appid, order_id, step, due_at, action_type, action_msg) VALUES ($1, $2, $3, $4, $5, $6)',
            [st.appid, st.order_id, st.step, st.due_at, st.action_type, st.action_msg],
          );
        }
      });
    },
    async due(now, limit) {
      return (
        await db.query<ScheduledStepRecord>(
          'SELECT * FROM scheduled_steps WHERE due_at <= $1 ORDER BY due_at, appid COLLATE "C", order_id COLLATE "C", step LIMIT $2',
          [now, limit],
        )
      ).rows;
    },
    // Concurrent DELETEs of one row: the second waits, then finds it gone (rowCount 0).
    async take(appid, orderId, step) {
      return (
        (await db.query('DELETE FROM scheduled_steps WHERE appid = $1 AND order_id = $2 AND step = $3', [appid, orderId, step]))
          .rowCount === 1
      );
    },
    async clear(appid, orderId) {
      await db.query('DELETE FROM scheduled_steps WHERE appid = $1 AND order_id = $2', [appid, orderId]);
    },
  };
}
