/** China Standard Time is UTC+8 all year (no DST since 1991), so no tz database is needed. */
const SHANGHAI_OFFSET_S = 8 * 3600;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Formats unix seconds as `YYYY-MM-DD HH:mm` in Asia/Shanghai, whatever the machine's TZ. */
export function formatShanghaiTime(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds)) return '';
  const d = new Date((Math.floor(unixSeconds) + SHANGHAI_OFFSET_S) * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}
