/**
 * Call quotas and the rid log on PostgreSQL (tables api_limits, api_usage,
 * api_quota_resets, api_rids of ../migrations.ts). A batch is one statement over
 * unnest()ed arrays; counters add with `count = count + n` in the upsert, so
 * instances flushing at once never lose an increment.
 */
import type { ApiCallStore, ApiLimitRecord, ApiUsageRow, RidRecord } from '../types.ts';
import type { Db } from './pg-db.ts';

export function postgresApiCalls(db: Db): ApiCallStore {
  return {
    async listLimits(appid) {
      const r =
        appid === undefined
          ? await db.query<ApiLimitRecord>('SELECT * FROM api_limits ORDER BY appid COLLATE "C", cgi_path COLLATE "C"')
          : await db.query<ApiLimitRecord>('SELECT * FROM api_limits WHERE appid = $1 ORDER BY cgi_path COLLATE "C"', [appid]);
      return r.rows;
    },
    async putLimit(l) {
      await db.query(
        `INSERT INTO api_limits (appid, cgi_path, daily_limit, call_count, refresh_second, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (appid, cgi_path) DO UPDATE SET daily_limit = excluded.daily_limit, call_count = excluded.call_count,
           refresh_second = excluded.refresh_second, updated_at = excluded.updated_at`,
        [l.appid, l.cgi_path, l.daily_limit, l.call_count, l.refresh_second, l.updated_at],
      );
    },
    async deleteLimit(appid, path) {
      return ((await db.query('DELETE FROM api_limits WHERE appid = $1 AND cgi_path = $2', [appid, path])).rowCount ?? 0) > 0;
    },
    async addUsage(deltas) {
      if (deltas.length === 0) return;
      await db.query(
        `INSERT INTO api_usage (day, appid, cgi_path, count)
         SELECT t.day, t.appid, t.cgi_path, t.n FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[]) AS t(day, appid, cgi_path, n)
         WHERE EXISTS (SELECT 1 FROM apps WHERE apps.appid = t.appid)
         ON CONFLICT (day, appid, cgi_path) DO UPDATE SET count = api_usage.count + excluded.count`,
        [deltas.map((d) => d.day), deltas.map((d) => d.appid), deltas.map((d) => d.cgi_path), deltas.map((d) => d.count)],
      );
    },
    async listUsage(day, appid) {
      const r =
        appid === undefined
          ? await db.query<ApiUsageRow>(
              'SELECT appid, cgi_path, count FROM api_usage WHERE day = $1 ORDER BY appid COLLATE "C", cgi_path COLLATE "C"',
              [day],
            )
          : await db.query<ApiUsageRow>(
              'SELECT appid, cgi_path, count FROM api_usage WHERE day = $1 AND appid = $2 ORDER BY cgi_path COLLATE "C"',
              [day, appid],
            );
      return r.rows;
    },
    async clearUsage(appid, day) {
      await db.query('DELETE FROM api_usage WHERE appid = $1 AND day = $2', [appid, day]);
    },
    async pruneUsage(beforeDay) {
      return (await db.query('DELETE FROM api_usage WHERE day < $1', [beforeDay])).rowCount ?? 0;
    },
    async takeReset(appid, month, max) {
      const r = await db.query(
        `INSERT INTO api_quota_resets (appid, month, count) VALUES ($1, $2, 1)
         ON CONFLICT (appid, month) DO UPDATE SET count = api_quota_resets.count + 1 WHERE api_quota_resets.count < $3
         RETURNING count`,
        [appid, month, max],
      );
      return r.rows.length > 0;
    },
    async resetsUsed(appid, month) {
      const r = await db.query<{ count: number }>('SELECT count FROM api_quota_resets WHERE appid = $1 AND month = $2', [appid, month]);
      return r.rows[0]?.count ?? 0;
    },
    async insertRids(rows: RidRecord[]) {
      if (rows.length === 0) return;
      const col = <K extends keyof RidRecord>(k: K) => rows.map((r) => r[k]);
      await db.query(
        `INSERT INTO api_rids (rid, appid, cgi_path, invoke_time, cost_in_ms, request_url, request_body, response_body, client_ip)
         SELECT t.* FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS t(rid, appid, cgi_path, invoke_time, cost_in_ms, request_url, request_body, response_body, client_ip)
         WHERE EXISTS (SELECT 1 FROM apps WHERE apps.appid = t.appid)
         ON CONFLICT (rid) DO NOTHING`,
        [
          col('rid'),
          col('appid'),
          col('cgi_path'),
          col('invoke_time'),
          col('cost_in_ms'),
          col('request_url'),
          col('request_body'),
          col('response_body'),
          col('client_ip'),
        ],
      );
    },
    async getRid(rid) {
      return (await db.query<RidRecord>('SELECT * FROM api_rids WHERE rid = $1', [rid])).rows[0];
    },
    async pruneRids(before, keepPerApp) {
      let n = (await db.query('DELETE FROM api_rids WHERE invoke_time < $1', [before])).rowCount ?? 0;
      n +=
        (
          await db.query(
            `DELETE FROM api_rids WHERE rid IN (
           SELECT rid FROM (SELECT rid, row_number() OVER (PARTITION BY appid ORDER BY invoke_time DESC, rid COLLATE "C" DESC) AS k FROM api_rids) ranked
           WHERE k > $1)`,
            [keepPerApp],
          )
        ).rowCount ?? 0;
      return n;
    },
  };
}
