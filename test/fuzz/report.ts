/** The summary table of a fuzz run, as `npm run fuzz` prints it and fuzz.test.ts logs it. */
import type { RunReport } from './run.js';

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function sorted(m: Record<string, number>): string {
  return Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

export function summary(r: RunReport, problems: string[]): string {
  const rows: [string, string][] = [
    ['seed', String(r.seed)],
    ['concurrency', String(r.concurrency)],
    ['duration', `${(r.durationMs / 1000).toFixed(1)} s`],
    ['connections', String(r.connections)],
    ['frames sent', String(r.framesSent)],
    ['mutated frames', `${r.mutatedFrames} (${((r.mutatedFrames / r.durationMs) * 1000).toFixed(0)}/s)`],
    ['  by mutator (+ protocol headers)', sorted(r.byMutator)],
    ['mutated protocol headers', String(r.headersMutated)],
    ['server closed / cut after linger', `${r.serverClosed} / ${r.lingered}`],
    ['connect errors', String(r.connectErrors)],
    ['emulator crashed', r.crashed ? 'YES' : 'no'],
    ['amqp:internal-error answers', String(r.internalErrors.count)],
    ['RSS idle / warmed up / after / max', `${mb(r.rssStart)} / ${mb(r.rssBefore)} / ${mb(r.rssAfter)} / ${mb(r.rssMax)}`],
    ['RSS growth after warm-up (since idle)', `${mb(r.rssAfter - r.rssBefore)} (${mb(r.rssAfter - r.rssStart)})`],
    ['healthy sent / received', `${r.healthy.sent} / ${r.healthy.received}`],
    ['healthy round trip p50 / p99 / max', `${ms(r.healthy.p50)} / ${ms(r.healthy.p99)} / ${ms(r.healthy.max)}`],
    ['healthy errors', String(r.healthy.errors.length)],
    ['janitor drained (DLQ)', `${r.janitor.drained}${r.janitor.errors.length ? `, errors: ${r.janitor.errors.join('; ')}` : ''}`],
    ['server error conditions', sorted(r.conditions)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  lines.push(problems.length === 0 ? 'PASS' : `FAIL\n  - ${problems.join('\n  - ')}`);
  for (const s of r.internalErrors.samples) lines.push(`  internal error: ${s}`);
  for (const e of r.healthy.errors.slice(0, 10)) lines.push(`  healthy error: ${e}`);
  return lines.join('\n');
}
