/**
 * In-process benchmark of the broker core (no network): `npm run bench:core`.
 *   1. send + receive (peek-lock) + complete throughput on one core;
 *   2. accept-next-session latency with 10 / 1,000 / 100,000 sessions;
 *   3. RSS with 1,000,000 queued 256-byte messages (measured in a child process);
 *   4. a hostile LIKE: the rule `p LIKE '%a%a%b'` on a message whose p is 5,000 'a's (a regular
 *      expression took 38 s here; the budget is LIKE_BUDGET_MS per evaluation).
 *   5. the test control plane's journal: throughput with it recording, and the heap a full journal
 *      (100,000 events, the default) holds.
 * Options: --messages N (throughput run, default 2,000,000), --batch N (default 100), --like-only,
 * --journal-only.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Broker, FakeClock } from '../src/broker/index.js';
import { compileSqlFilter } from '../src/broker/sqlFilter.js';
import type { BrokerEvent } from '../src/broker/events.js';
import { DEFAULT_JOURNAL_CAPACITY, Journal } from '../src/control/journal.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

function throughput(total: number, batch: number, onEvent?: (e: BrokerEvent) => void): number {
  const broker = new Broker({ clock: new FakeClock(), onEvent });
  broker.createQueue('bench');
  const receiver = broker.openReceiver('bench', { mode: 'peekLock' });
  const payload = Buffer.alloc(256, 7);
  const inputs = Array.from({ length: batch }, () => ({ payload, size: 256 }));
  const run = (n: number): void => {
    for (let done = 0; done < n; done += batch) {
      broker.send('bench', inputs);
      const got = receiver.receive(batch);
      for (let i = 0; i < got.length; i++) broker.complete('bench', got[i]!.lockToken!);
    }
  };
  run(Math.min(total, 200_000)); // warm-up: let the JIT settle before timing
  const start = process.hrtime.bigint();
  run(total);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (broker.runtime('bench').totalMessageCount !== 0) throw new Error('messages left behind');
  return total / seconds;
}

/** Mean and p99 of acceptNextSession (microseconds) with `sessions` sessions each holding a message. */
function acceptLatency(sessions: number, rounds: number): { mean: number; p99: number } {
  const broker = new Broker({ clock: new FakeClock() });
  broker.createQueue('sessions', { requiresSession: true });
  const payload = Buffer.alloc(16);
  for (let i = 0; i < sessions; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(sessions, i + 1000); j++) batch.push({ payload, size: 16, sessionId: `session-${j}` });
    broker.send('sessions', batch);
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let receiver: import('../src/broker/index.js').SessionReceiver | undefined;
    const t0 = process.hrtime.bigint();
    broker.acceptNextSession('sessions', { mode: 'peekLock', timeoutMs: 0 }, (err, rcv) => {
      if (err) throw err;
      receiver = rcv;
    });
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0) / 1000);
    // Keep the population constant: settle, close, and refill the same session at the back.
    const [m] = receiver!.receive(1);
    broker.complete('sessions', m!.lockToken!);
    receiver!.close();
    broker.send('sessions', [{ payload, size: 16, sessionId: receiver!.sessionId }]);
  }
  samples.sort((a, b) => a - b);
  const steady = samples.slice(0, Math.floor(samples.length * 0.999));
  return { mean: steady.reduce((a, b) => a + b, 0) / steady.length, p99: samples[Math.floor(samples.length * 0.99)]! };
}

const LIKE_BUDGET_MS = 5;

/** Mean and worst milliseconds of one evaluation of the hostile LIKE filter. */
function hostileLike(rounds: number): { mean: number; max: number } {
  const filter = compileSqlFilter("p LIKE '%a%a%b'");
  const subject = { messageId: 'm', headers: {}, properties: { p: 'a'.repeat(5000) }, size: 5000, seq: 1 };
  let max = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    if (filter(subject)) throw new Error('LIKE matched a value without b');
    max = Math.max(max, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { mean: Number(process.hrtime.bigint() - start) / 1e6 / rounds, max };
}

function likeRow(): [string, string] {
  const like = hostileLike(1000);
  const verdict = like.max <= LIKE_BUDGET_MS ? 'within' : 'OVER';
  return [`p LIKE '%a%a%b', p = 5,000 'a's (budget ${LIKE_BUDGET_MS} ms)`, `mean ${like.mean.toFixed(3)} ms, max ${like.max.toFixed(3)} ms: ${verdict} budget`];
}

function rssChild(): void {
  const count = opt('count', 1_000_000);
  const before = process.memoryUsage().rss;
  const broker = new Broker({ clock: new FakeClock() });
  broker.createQueue('mem', { maxSizeInMegabytes: 81_920 });
  for (let i = 0; i < count; i += 1000) {
    const batch = [];
    for (let j = 0; j < 1000; j++) batch.push({ payload: Buffer.allocUnsafe(256).fill(j & 0xff), size: 256 });
    broker.send('mem', batch);
  }
  if (broker.runtime('mem').activeMessageCount !== count) throw new Error('count mismatch');
  const after = process.memoryUsage();
  process.stdout.write(JSON.stringify({ before, rss: after.rss, heapUsed: after.heapUsed, external: after.external }));
}

function rss(): { before: number; rss: number; heapUsed: number; external: number } {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, '--rss-child'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`rss child failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

/** The journal's cost: throughput with and without it, and the heap of a full ring. */
function journalRows(): [string, string][] {
  const n = 500_000;
  const off = throughput(n, 100);
  const on = throughput(n, 100, new Journal().record);
  const self = fileURLToPath(import.meta.url);
  // In a fresh process: what earlier runs leave in V8's caches would blur a heap difference here.
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, self, '--journal-heap-child'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`journal heap child failed: ${child.stderr}`);
  const held = Number(child.stdout);
  const rate = (r: number): string => `${Math.round(r).toLocaleString('en')} msg/s`;
  return [
    [`send+receive+complete, batch 100, ${n.toLocaleString('en')} msgs, journal off / on`, `${rate(off)} / ${rate(on)} (${((1 - on / off) * 100).toFixed(0)}% slower)`],
    [`heap of a full journal (${DEFAULT_JOURNAL_CAPACITY.toLocaleString('en')} events) and its broker`, `${(held / 1024 / 1024).toFixed(1)} MB`],
  ];
}

/** Heap held by a journal filled (and wrapped) by a real broker run, after full collections. */
function journalHeapChild(): void {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage().heapUsed;
  const journal = new Journal();
  const broker = new Broker({ clock: new FakeClock(), onEvent: journal.record });
  broker.createQueue('q');
  const receiver = broker.openReceiver('q', { mode: 'peekLock' });
  const inputs = Array.from({ length: 100 }, () => ({ payload: Buffer.alloc(16), size: 16 }));
  for (let i = 0; i < 500; i++) {
    broker.send('q', inputs);
    for (const m of receiver.receive(100)) broker.complete('q', m.lockToken!);
  }
  gc();
  const held = process.memoryUsage().heapUsed - before;
  if (journal.query({ since: 0 }).length !== journal.capacity) throw new Error('the journal did not fill');
  process.stdout.write(String(held));
}

if (args.includes('--journal-heap-child')) {
  journalHeapChild();
} else if (args.includes('--journal-only')) {
  for (const [k, v] of journalRows()) console.log(`${k} | ${v}`);
} else if (args.includes('--rss-child')) {
  rssChild();
} else if (args.includes('--like-only')) {
  const [k, v] = likeRow();
  console.log(`${k} | ${v}`);
  if (v.includes('OVER')) process.exitCode = 1;
} else {
  const total = opt('messages', 2_000_000);
  const batch = opt('batch', 100);
  const rows: [string, string][] = [];
  const tput = throughput(total, batch);
  rows.push([`send+receive+complete, batch ${batch}, ${total.toLocaleString('en')} msgs`, `${Math.round(tput).toLocaleString('en')} msg/s`]);
  const single = throughput(Math.min(total, 500_000), 1);
  rows.push([`send+receive+complete, batch 1, ${Math.min(total, 500_000).toLocaleString('en')} msgs`, `${Math.round(single).toLocaleString('en')} msg/s`]);
  const lat: Record<number, { mean: number; p99: number }> = {};
  for (const n of [10, 1_000, 100_000]) {
    lat[n] = acceptLatency(n, 20_000);
    rows.push([`accept-next-session, ${n.toLocaleString('en')} sessions`, `mean ${lat[n].mean.toFixed(2)} µs, p99 ${lat[n].p99.toFixed(2)} µs`]);
  }
  rows.push(['accept latency ratio 100,000 / 10 sessions', `${(lat[100_000]!.mean / lat[10]!.mean).toFixed(2)}×`]);
  const mem = rss();
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
  rows.push(likeRow());
  rows.push(...journalRows());
  rows.push(['RSS, 1,000,000 queued 256-byte messages', `${mb(mem.rss)} (process baseline ${mb(mem.before)}, heap ${mb(mem.heapUsed)}, external ${mb(mem.external)})`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`${'measure'.padEnd(width)} | result`);
  console.log(`${'-'.repeat(width)}-|-${'-'.repeat(40)}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)} | ${v}`);
}
