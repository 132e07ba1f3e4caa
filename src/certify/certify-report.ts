// The certification report: a human table (one line per check) and the JSON form for CI.
import type { CertifyReport } from './certify-carrier.ts';

/** One line per check, `STATUS  check name  detail`, then a summary line. */
export function formatReportTable(r: CertifyReport): string {
  const width = Math.max(5, ...r.checks.map((c) => c.name.length));
  const lines = [
    `carrier certification: ${r.url} (${r.mode}, ${r.format})`,
    `${'RESULT'.padEnd(6)}  ${'CHECK'.padEnd(width)}  DETAIL`,
    ...r.checks.map((c) => `${c.status.padEnd(6)}  ${c.name.padEnd(width)}  ${c.detail}`),
    '',
    `${r.ok ? 'CERTIFIED' : 'NOT CERTIFIED'}: ${r.summary.PASS} pass, ${r.summary.FAIL} fail, ${r.summary.WARN} warn, ${r.summary.SKIP} skip`,
  ];
  return lines.join('\n') + '\n';
}

/** Compact JSON (house rule 1), stable keys: ok, url, mode, format, summary, checks[{status, name, detail}]. */
export function formatReportJson(r: CertifyReport): string {
  return JSON.stringify(r) + '\n';
}
