/**
 * The engine of a fuzz run, shared by fuzz.test.ts (in-process emulator) and cli.ts (emulator as
 * a child process): K workers replay mutated captures on fresh connections until the requested
 * number of mutated frames has been sent, while the healthy client sends and receives on its own
 * connection. Judging the figures is the caller's business (verdict()).
 *
 * Connection i's plan (which frames, which mutations, how the writes are cut) comes from a PRNG
 * seeded with (seed, i) alone, so it does not depend on how the workers interleave: a failure is
 * reproduced by the seed and the connection index the report names.
 */
import type { CapturedConnection } from './capture.js';
import { startHealthy, startJanitor, percentile, type HealthyReport } from './healthy.js';
import { mutateConnection, Rng } from './mutate.js';
import { replay } from './replay.js';

export interface RunOptions {
  port: number;
  corpus: CapturedConnection[];
  /** Stop once this many mutated frames have been sent. */
  frames: number;
  seed: number;
  concurrency: number;
  /** How long a connection waits for the server to close after its last frame. */
  lingerMs?: number;
  /** The emulator's resident set size in bytes. */
  rss: () => number;
  /** Replays just these connection indices (to reproduce a failure the report named). */
  only?: number[];
  /** False once the emulator process has died (child mode). */
  alive?: () => boolean;
  progress?: (line: string) => void;
}

export interface RunReport {
  seed: number;
  concurrency: number;
  connections: number;
  /** Frames written (protocol headers not counted). */
  framesSent: number;
  mutatedFrames: number;
  headersMutated: number;
  byMutator: Record<string, number>;
  conditions: Record<string, number>;
  internalErrors: { count: number; samples: string[]; connections: number[] };
  connectErrors: number;
  /** Connections the server closed itself, and those we cut after the linger. */
  serverClosed: number;
  lingered: number;
  /** RSS of the idle emulator, before any fuzzing. */
  rssStart: number;
  /** RSS once warmed up (see WARM_UP): what growth is measured from. */
  rssBefore: number;
  rssAfter: number;
  rssMax: number;
  healthy: HealthyReport & { p50: number; p99: number; max: number };
  janitor: { drained: number; errors: string[] };
  durationMs: number;
  crashed: boolean;
}

/** The PRNG seed of connection i: a hash, so neighbouring connections are unrelated. */
function connectionSeed(seed: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.imul(h, 0x27d4eb2d) >>> 0;
}

const add = (m: Record<string, number>, k: string, n: number) => (m[k] = (m[k] ?? 0) + n);

/**
 * Growth is measured from the RSS after the first tenth of the frames (at most 100,000), not from
 * the idle process: under this load V8's heap and its external-memory allowance settle some 150 to
 * 200 MB above an idle emulator within the first minute, and stay there (a 1,000,000-frame run's
 * RSS moved between 255 and 300 MB from its first minute to its last, and a forced GC at the end
 * left 50 MB of heap in use, 20 MB more than idle, the messages still queued). That is the working
 * set, not growth; a leak shows as a rise after it. The report keeps the idle figure too.
 */
const WARM_UP = (frames: number) => Math.min(Math.floor(frames / 10), 100_000);

export async function runFuzz(o: RunOptions): Promise<RunReport> {
  const lingerMs = o.lingerMs ?? 150;
  const pool = o.corpus.flatMap((c) => c.units.filter((u) => u.kind === 'frame').map((u) => u.bytes));
  const alive = o.alive ?? (() => true);
  const janitor = startJanitor(o.port);
  const healthy = await startHealthy(o.port);
  const report: RunReport = {
    seed: o.seed, concurrency: o.concurrency, connections: 0, framesSent: 0, mutatedFrames: 0, headersMutated: 0, byMutator: {}, conditions: {},
    internalErrors: { count: 0, samples: [], connections: [] }, connectErrors: 0, serverClosed: 0, lingered: 0,
    rssStart: o.rss(), rssBefore: 0, rssAfter: 0, rssMax: 0, healthy: { ...healthy.report, p50: NaN, p99: NaN, max: NaN },
    janitor: { drained: 0, errors: [] }, durationMs: 0, crashed: false,
  };
  report.rssMax = report.rssBefore = report.rssStart;
  const warmUp = o.only ? 0 : WARM_UP(o.frames);
  let warm = warmUp === 0;
  const started = performance.now();
  const sampler = setInterval(() => {
    if (alive()) report.rssMax = Math.max(report.rssMax, o.rss());
  }, 250);
  let lastProgress = started;
  let next = 0;

  const worker = async () => {
    while (alive() && (o.only ? next < o.only.length : report.mutatedFrames < o.frames)) {
      const index = o.only ? o.only[next++]! : next++;
      const rng = new Rng(connectionSeed(o.seed, index));
      const conn = o.corpus[rng.int(o.corpus.length)]!;
      const r = await replay(o.port, mutateConnection(rng, conn, pool), rng, lingerMs);
      report.connections++;
      if (r.connectError !== undefined) {
        report.connectErrors++;
        continue;
      }
      report.framesSent += r.framesSent;
      report.mutatedFrames += r.mutatedSent;
      report.headersMutated += r.headersMutated;
      if (!warm && report.mutatedFrames >= warmUp && alive()) {
        warm = true;
        report.rssBefore = o.rss();
      }
      for (const [k, v] of r.byMutator) add(report.byMutator, k, v);
      for (const [k, v] of r.conditions) add(report.conditions, k, v);
      if (r.serverClosed) report.serverClosed++;
      else report.lingered++;
      if (r.internalErrors.length > 0) {
        report.internalErrors.count += r.internalErrors.length;
        if (report.internalErrors.connections.length < 20) report.internalErrors.connections.push(index);
        for (const s of r.internalErrors) if (report.internalErrors.samples.length < 10) report.internalErrors.samples.push(s);
      }
      const now = performance.now();
      if (o.progress && now - lastProgress > 10_000) {
        lastProgress = now;
        const p99 = percentile(healthy.report.roundTrips, 99);
        o.progress(`${report.mutatedFrames} mutated frames, ${report.connections} connections, ` +
          `${((now - started) / 1000).toFixed(0)} s, rss ${(o.rss() / 2 ** 20).toFixed(0)} MB, healthy p99 ${p99.toFixed(1)} ms`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  clearInterval(sampler);
  report.durationMs = performance.now() - started;
  report.crashed = !alive();

  const h = report.crashed ? healthy.report : await healthy.stop();
  report.healthy = { ...h, p50: percentile(h.roundTrips, 50), p99: percentile(h.roundTrips, 99), max: Math.max(...h.roundTrips) };
  report.janitor = { drained: janitor.drained(), errors: janitor.errors };
  if (!report.crashed) await janitor.stop();
  report.rssAfter = report.crashed ? 0 : o.rss();
  report.rssMax = Math.max(report.rssMax, report.rssAfter);
  return report;
}

/** What makes a run fail, as the issue states it (plus internal errors, which are bugs too). */
export function verdict(r: RunReport, target: number): string[] {
  const MB = 2 ** 20;
  const problems: string[] = [];
  if (r.crashed) problems.push('the emulator crashed');
  if (r.mutatedFrames < target) problems.push(`only ${r.mutatedFrames} of ${target} mutated frames were sent`);
  if (r.connectErrors > 0) problems.push(`${r.connectErrors} connections could not be opened`);
  if (r.rssAfter - r.rssBefore >= 200 * MB) problems.push(`RSS grew by ${((r.rssAfter - r.rssBefore) / MB).toFixed(0)} MB`);
  if (!(r.healthy.p99 < 250)) problems.push(`healthy client p99 ${r.healthy.p99.toFixed(1)} ms`);
  if (r.healthy.errors.length > 0) problems.push(`healthy client errors: ${r.healthy.errors.slice(0, 3).join('; ')}`);
  if (r.healthy.received < 10) problems.push(`the healthy client received only ${r.healthy.received} messages`);
  if (r.internalErrors.count > 0) problems.push(`${r.internalErrors.count} amqp:internal-error answers (connections ${r.internalErrors.connections.join(', ')}): ${r.internalErrors.samples[0]}`);
  return problems;
}
