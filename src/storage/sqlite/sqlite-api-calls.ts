/**
 * Call quotas and the rid log on SQLite (tables api_limits, api_usage,
 * api_quota_resets, api_rids of ../migrations.ts). Batch writes run one
 * prepared statement per row inside the caller's transaction.
 */
import type Database from 'better-sqlite3';
import type { ApiCallStore, ApiLimitRecord, ApiUsageRow, RidRecord } from '../types.ts';

type Gate = <T>(fn: () => T) => Promise<T>;

export function sqliteApiCalls(db: Database.Database, q: Gate): ApiCallStore {
  const s = {
    limitsAll: db.prepare('SELECT * FROM api_limits ORDER BY appid, cgi_path'),
    limitsOf: db.prepare('SELECT * FROM api_limits WHERE appid = ? ORDER BY cgi_path'),
    limitPut: db.prepare(
      `INSERT INTO api_limits (appid, cgi_path, daily_limit, call_count, refresh_second, updated_at)
       VALUES (@appid, @cgi_path, @daily_limit, @call_count, @refresh_second, @updated_at)
       ON CONFLICT (appid, cgi_path) DO UPDATE SET daily_limit = excluded.daily_limit, call_count = excluded.call_count,
         refresh_second = excluded.refresh_second, updated_at = excluded.updated_at`,
    ),
    limitDelete: db.prepare('DELETE FROM api_limits WHERE appid = ? AND cgi_path = ?'),
    usageAdd: db.prepare(
      `INSERT INTO api_usage (day, appid, cgi_path, count) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM apps WHERE appid = ?)
       ON CONFLICT (day, appid, cgi_path) DO UPDATE SET count = api_usage.count + excluded.count`,
    ),
    usageDay: db.prepare('SELECT appid, cgi_path, count FROM api_usage WHERE day = ? ORDER BY appid, cgi_path'),
    usageDayApp: db.prepare('SELECT appid, cgi_path, count FROM api_usage WHERE day = ? AND appid = ? ORDER BY cgi_path'),
    usageClear: db.prepare('DELETE FROM api_usage WHERE appid = ? AND day = ?'),
    usagePrune: db.prepare('DELETE FROM api_usage WHERE day < ?'),
    resetTake: db.prepare(
      `INSERT INTO api_quota_resets (appid, month, count) VALUES (?, ?, 1)
       ON CONFLICT (appid, month) DO UPDATE SET count = api_quota_resets.count + 1 WHERE api_quota_resets.count < ?
       RETURNING count`,
    ),
    resetsUsed: db.prepare('SELECT count FROM api_quota_resets WHERE appid = ? AND month = ?'),
    ridInsert: db.prepare(
      `INSERT INTO api_rids (rid, appid, cgi_path, invoke_time, cost_in_ms, request_url, request_body, response_body, client_ip)
       SELECT @rid, @appid, @cgi_path, @invoke_time, @cost_in_ms, @request_url, @request_body, @response_body, @client_ip
       WHERE EXISTS (SELECT 1 FROM apps WHERE appid = @appid)
       ON CONFLICT (rid) DO NOTHING`,
    ),
    ridGet: db.prepare('SELECT * FROM api_rids WHERE rid = ?'),
    ridPruneAge: db.prepare('DELETE FROM api_rids WHERE invoke_time < ?'),
    ridApps: db.prepare('SELECT appid FROM apps'),
    // Keeping the newest N is deleting the oldest (count − N), in the same order reversed: the
    // index on (appid, invoke_time) yields them first and the LIMIT stops there. The former
    // `rid IN (… ORDER BY … DESC LIMIT -1 OFFSET N)` sorted the app's whole log and then tested
    // every row against that list: 0.3–0.9 s with the event loop blocked, once a minute, at 100,000
    // 12 KB answers; this takes 13–18 ms (~8 of them the count) to drop 500 of them.
    ridCountApp: db.prepare('SELECT count(*) FROM api_rids WHERE appid = ?').pluck(),
    ridPruneOldest: db.prepare(
      'DELETE FROM api_rids WHERE rowid IN (SELECT rowid FROM api_rids WHERE appid = @appid ORDER BY invoke_time, rid LIMIT @excess)',
    ),
  };
  return {
    listLimits: (appid) => q(() => (appid === undefined ? s.limitsAll.all() : s.limitsOf.all(appid)) as ApiLimitRecord[]),
    putLimit: (limit) => q(() => void s.limitPut.run(limit)),
    deleteLimit: (appid, path) => q(() => s.limitDelete.run(appid, path).changes > 0),
    addUsage: (deltas) =>
      q(() => {
        for (const d of deltas) s.usageAdd.run(d.day, d.appid, d.cgi_path, d.count, d.appid);
      }),
    listUsage: (day, appid) => q(() => (appid === undefined ? s.usageDay.all(day) : s.usageDayApp.all(day, appid)) as ApiUsageRow[]),
    clearUsage: (appid, day) => q(() => void s.usageClear.run(appid, day)),
    pruneUsage: (beforeDay) => q(() => s.usagePrune.run(beforeDay).changes),
    takeReset: (appid, month, max) => q(() => s.resetTake.get(appid, month, max) !== undefined),
    resetsUsed: (appid, month) => q(() => (s.resetsUsed.get(appid, month) as { count: number } | undefined)?.count ?? 0),
    insertRids: (rows: RidRecord[]) =>
      q(() => {
        for (const r of rows) s.ridInsert.run(r);
      }),
    getRid: (rid) => q(() => s.ridGet.get(rid) as RidRecord | undefined),
    pruneRids: (before, keepPerApp) =>
      q(() => {
        let n = s.ridPruneAge.run(before).changes;
        for (const { appid } of s.ridApps.all() as { appid: string }[]) {
          const excess = (s.ridCountApp.get(appid) as number) - keepPerApp;
          if (excess > 0) n += s.ridPruneOldest.run({ appid, excess }).changes;
        }
        return n;
      }),
  };
}
