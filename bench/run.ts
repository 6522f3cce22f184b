/**
 * `npm run bench [-- --only amqp,latency,sessions,startup,memory,scaling,profile] [--n 20000]
 *   [--rounds 3] [--systems ceiling,emulator,rabbitmq,artemis] [--clients rhea,go]
 *   [--no-install] [--no-build] [--quick]`
 *
 * Every system runs in its own process on loopback ports: the emulator (`node dist/cli.js`, built
 * first), the no-logic rhea ceiling (bench/ceiling-server.ts), RabbitMQ from Debian (installed with
 * apt when missing) and ActiveMQ Artemis from Maven Central (bench/lib/artemis.ts), each started
 * with its own temp dir and stopped after. Progress goes
 * to stderr; the tables go to stdout; JSON and SVG go to bench/results/<date>.{json,svg}.
 * `profile` (not in the default set) runs the emulator under --cpu-prof through the raw workloads
 * and prints the top functions by self time, one table per phase (bench/parts/profile.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, encodedMessage, latency, receive, sendAwaitAccept } from './lib/amqp.js';
import { startArtemis } from './lib/artemis.js';
import { svgChart, table, type BarGroup } from './lib/report.js';
import { profileEmulator } from './parts/profile.js';
import {
  BENCH_DIR,
  buildEmulator,
  cleanupTemp,
  emulatorCommand,
  SkipError,
  startCeilingProcess,
  startEmulatorProcess,
  startRabbitMQ,
  type System,
} from './lib/systems.js';
import { fmtMs, fmtRate, log, mb, sleep } from './lib/util.js';
import { sessionsSdk, type SessionsRow } from './parts/sessions.js';
import { startup, type StartupResult } from './parts/startup.js';
import { memoryWithBacklog, scaling, type MemoryResult, type ScalingResult } from './parts/state.js';
import { bestSend, medianRows, seriesNames, throughput, throughputCpuTable, throughputGroups, throughputTable, type ThroughputRow } from './parts/throughput.js';
import { buildGoClient, goThroughput } from './lib/goclient.js';

const ALL = ['amqp', 'latency', 'sessions', 'startup', 'memory', 'scaling'] as const;
const EXTRA = ['profile'] as const;

function parseArgs(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    return argv[i + 1];
  };
  const onlyRaw = get('--only');
  const only = onlyRaw ? onlyRaw.split(',').map((s) => s.trim()).filter(Boolean) : [...ALL];
  for (const p of only) {
    if (![...ALL, ...EXTRA].includes(p as never)) {
      process.stderr.write(`unknown part '${p}'; choose from ${[...ALL, ...EXTRA].join(', ')}\n`);
      process.exit(2);
    }
  }
  const quick = argv.includes('--quick');
  return {
    only: new Set(only),
    n: Number(get('--n') ?? (quick ? 5000 : 20000)),
    sessions: quick ? 200 : 1000,
    big: quick ? 100_000 : 1_000_000,
    sessionScales: quick ? [10, 1000, 10_000] : [10, 1000, 100_000],
    install: !argv.includes('--no-install'),
    build: !argv.includes('--no-build'),
    systems: (get('--systems') ?? 'ceiling,emulator,rabbitmq,artemis').split(','),
    clients: (get('--clients') ?? 'rhea,go').split(',') as ('rhea' | 'go')[],
    rounds: Number(get('--rounds') ?? (quick ? 1 : 3)),
  };
}

const LATENCY_CAP = Number(process.env.BENCH_LATENCY_CAP ?? 5000);

interface LatencyRow {
  system: string;
  offered: number;
  achieved: number;
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  lost: number;
}

interface SystemInfo {
  system: string;
  version?: string;
  startMs: number;
  idleRssMb: number;
  rssAfterMb?: number;
}

const skips: { part: string; reason: string }[] = [];
function skip(part: string, reason: string) {
  skips.push({ part, reason });
  process.stdout.write(`SKIP ${part}: ${reason}\n`);
}

async function startSystem(name: string, install: boolean): Promise<(System & { version?: string }) | undefined> {
  try {
    if (name === 'ceiling') return await startCeilingProcess();
    if (name === 'emulator') return await startEmulatorProcess();
    if (name === 'rabbitmq') return await startRabbitMQ(install);
    if (name === 'artemis') return await startArtemis(install, ['bench-256', 'bench-4096', 'bench-latency']);
    throw new SkipError(`unknown system ${name}`);
  } catch (e) {
    skip(name, e instanceof SkipError ? e.message : `failed to start: ${(e as Error).message}`);
    return undefined;
  }
}

async function measureLatency(sys: System, peak: number): Promise<LatencyRow> {
  // 50% of the system's own peak, capped: on a small machine the one client process (paced
  // sender + receiver, encoding each message) saturates first, and then it measures itself.
  const offered = Math.max(100, Math.min(LATENCY_CAP, Math.round(peak * 0.5)));
  const a = await connect(sys.target);
  const b = await connect(sys.target);
  try {
    const r = await latency(a, b, sys.target.address('bench-latency'), offered, 5000, 256, 1000);
    const p = (q: number) => r.sorted[Math.min(r.sorted.length - 1, Math.max(0, Math.ceil(q * r.sorted.length) - 1))]!;
    const row = { system: sys.name, offered, achieved: r.achieved, samples: r.sorted.length, p50: p(0.5), p99: p(0.99), p999: p(0.999), max: r.sorted[r.sorted.length - 1]!, lost: r.lost };
    log(`${sys.name} latency at ${offered}/s: p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, p99.9 ${row.p999.toFixed(2)} ms`);
    return row;
  } finally {
    await a.close();
    await b.close();
  }
}

/** Peak for the latency part when the throughput part did not run: a short send+receive. */
async function quickPeak(sys: System): Promise<number> {
  const conn = await connect(sys.target);
  try {
    const address = sys.target.address('bench-256');
    const s = await sendAwaitAccept(conn, address, 5000, encodedMessage(256), 1000);
    const r = await receive(conn, address, 5000, 'accept', 1000);
    return Math.min(s.rate, r.rate);
  } finally {
    await conn.close();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const cpus = os.cpus();
  const machine = {
    cores: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
  process.stdout.write(
    `# servicebus-emulator benchmark\n\nMachine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB RAM, Node ${machine.node}, ${machine.os}\n` +
      `Parts: ${[...opts.only].join(', ')}; N = ${opts.n} messages per throughput phase\n\n`,
  );

  const needsEmulator = [...opts.only].some((p) => p !== 'amqp' && p !== 'latency') || opts.systems.includes('emulator');
  if (needsEmulator && opts.build) buildEmulator();
  log(`emulator runs as: ${emulatorCommand().how}`);

  const results: Record<string, unknown> = { machine, options: { ...opts, only: [...opts.only] }, emulatorCommand: emulatorCommand().how };
  const tp: ThroughputRow[] = [];
  const tpRounds: (ThroughputRow & { round: number })[] = [];
  const lat: LatencyRow[] = [];
  const infos: SystemInfo[] = [];
  let sessionsRows: SessionsRow[] = [];
  let startupResult: StartupResult | undefined;
  let memory: MemoryResult | undefined;
  let scale: ScalingResult | undefined;
  let profile: Awaited<ReturnType<typeof profileEmulator>> | undefined;

  // ---- raw AMQP throughput and latency. Every system runs at once (idle, the others cost next
  // to nothing) so the rounds can interleave them: load from outside then weighs on each alike.
  if (opts.only.has('amqp') || opts.only.has('latency')) {
    const running: { sys: System; info: SystemInfo }[] = [];
    try {
      for (const name of opts.systems) {
        log(`starting ${name} ...`);
        const sys = await startSystem(name, opts.install);
        if (!sys) continue;
        await sleep(1000);
        const info: SystemInfo = { system: name, version: sys.version, startMs: sys.startMs, idleRssMb: mb(sys.rss()) };
        infos.push(info);
        running.push({ sys, info });
      }
      let clients = opts.clients;
      if (clients.includes('go')) {
        try {
          buildGoClient();
        } catch (e) {
          skip('go-amqp client', (e as Error).message);
          clients = clients.filter((c) => c !== 'go');
        }
      }
      const failed = new Set<string>();
      for (let round = 1; opts.only.has('amqp') && round <= opts.rounds; round++) {
        for (const { sys } of running) {
          for (const client of clients) {
            if (failed.has(`${sys.name}|${client}`)) continue;
            log(`round ${round}/${opts.rounds}: ${sys.name} with ${client}`);
            try {
              const rows = client === 'go' ? await goThroughput(sys, [256, 4096], opts.n, 1000, 1000) : await throughput(sys, [256, 4096], opts.n, 1000, 1000);
              tpRounds.push(...rows.map((r) => ({ ...r, round })));
            } catch (e) {
              failed.add(`${sys.name}|${client}`);
              skip(`${sys.name} workload (${client})`, `failed: ${(e as Error).message}`);
            }
          }
        }
      }
      tp.push(...medianRows(tpRounds));
      for (const { sys, info } of running) {
        try {
          const r256 = tp.find((r) => r.system === sys.name && r.client === 'rhea' && r.size === 256);
          const peak = r256 ? Math.min(bestSend(r256), r256.receiveAccept.rate) : undefined;
          if (opts.only.has('latency')) lat.push(await measureLatency(sys, peak ?? (await quickPeak(sys))));
        } catch (e) {
          skip(`${sys.name} latency`, `failed: ${(e as Error).message}`);
        }
        info.rssAfterMb = mb(sys.rss());
      }
    } finally {
      for (const { sys } of running) await sys.stop();
    }
  }

  // ---- sessions with the official SDK
  if (opts.only.has('sessions')) {
    const sys = await startSystem('emulator', opts.install);
    if (sys) {
      try {
        for (const k of [1, 4, 16]) sessionsRows.push(await sessionsSdk(sys.connectionString!, `bench-sessions-${k}`, k, opts.sessions, 20));
      } catch (e) {
        skip('sessions', `failed: ${(e as Error).message}`);
      } finally {
        await sys.stop();
      }
    }
    skip('Artemis message groups (rhea, group-id)', 'not implemented in this harness: only the emulator runs the sessions part');
  }

  if (opts.only.has('startup')) {
    try {
      startupResult = await startup(10);
    } catch (e) {
      skip('startup', (e as Error).message);
    }
  }
  if (opts.only.has('memory')) {
    try {
      memory = await memoryWithBacklog(opts.big, 256, 90_000);
    } catch (e) {
      skip('memory', (e as Error).message);
    }
  }
  if (opts.only.has('scaling')) {
    try {
      scale = await scaling(opts.sessionScales, opts.big);
    } catch (e) {
      skip('scaling', (e as Error).message);
    }
  }
  if (opts.only.has('profile')) {
    try {
      profile = await profileEmulator(opts.n);
    } catch (e) {
      skip('profile', (e as Error).message);
    }
  }

  // ---- output
  let out = '';
  if (tp.length > 0) out += throughputTable(tp, opts.n, opts.rounds) + throughputCpuTable(tp);
  if (lat.length > 0) {
    out += table(
      `Send-to-receive latency at 50% of measured peak, capped at ${LATENCY_CAP} msg/s (256 B, 5 s after 1 s warm-up)`,
      ['system', 'offered msg/s', 'samples', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
      lat.map((r) => [r.system, fmtRate(r.offered), r.samples, fmtMs(r.p50), fmtMs(r.p99), fmtMs(r.p999), fmtMs(r.max)]),
    );
  }
  if (infos.length > 0) {
    out += table(
      'Systems (start = spawn to AMQP port ready; RSS of the process tree)',
      ['system', 'version', 'start ms', 'idle RSS MB', 'RSS after load MB'],
      infos.map((i) => [i.system, i.version ?? (i.system === 'emulator' ? 'this repo' : '-'), fmtRate(i.startMs), i.idleRssMb, i.rssAfterMb ?? '-']),
    );
  }
  if (sessionsRows.length > 0) {
    out += table(
      `Sessions, official SDK (${opts.sessions} sessions × 20 messages, peek-lock + complete)`,
      ['receivers', 'send msg/s', 'receive msg/s', 'receive s', 'order', 'per session: accept / receive / complete / close ms'],
      sessionsRows.map((r) => [
        r.receivers,
        fmtRate(r.sendRate),
        fmtRate(r.receiveRate),
        (r.receiveMs / 1000).toFixed(1),
        r.orderOk ? 'intact' : `BROKEN (${r.problems[0] ?? ''})`,
        r.perSessionMs ? [r.perSessionMs.accept, r.perSessionMs.receive, r.perSessionMs.complete, r.perSessionMs.close].map((v) => v?.toFixed(1)).join(' / ') : '-',
      ]),
    );
  }
  if (startupResult || memory) {
    const rows: (string | number)[][] = [];
    if (startupResult) {
      rows.push([`start → readiness line (median of ${startupResult.runs})`, `${startupResult.readyLineMs.median.toFixed(0)} ms (min ${startupResult.readyLineMs.min.toFixed(0)}, max ${startupResult.readyLineMs.max.toFixed(0)})`]);
      rows.push([`start → /health 200 (median of ${startupResult.runs})`, `${startupResult.healthMs.median.toFixed(0)} ms (min ${startupResult.healthMs.min.toFixed(0)}, max ${startupResult.healthMs.max.toFixed(0)})`]);
      rows.push(['idle RSS (CLI, 1 s after ready)', `${startupResult.idleRssMb} MB`]);
    }
    if (memory) {
      rows.push([
        `RSS with ${memory.messages.toLocaleString('en-US')} queued ${memory.size}-B messages`,
        `${memory.rssMb} MB (heap ${memory.heapUsedMb} MB; ${memory.bytesPerMessage} B/message over idle ${memory.idleRssMb} MB)`,
      ]);
      rows.push([
        'how they were queued',
        memory.inProcess === 0
          ? `all over AMQP at ${fmtRate(memory.amqpRate)} msg/s`
          : `${memory.viaAmqp.toLocaleString('en-US')} over AMQP (${fmtRate(memory.amqpRate)} msg/s), ${memory.inProcess.toLocaleString('en-US')} in-process`,
      ]);
    }
    out += table(`Start-up and footprint (${startupResult?.command ?? emulatorCommand().how})`, ['measure', 'value'], rows);
  }
  if (scale) {
    const rows: (string | number)[][] = [];
    for (const a of scale.acceptNextSession) rows.push([`accept-next-session, ${a.sessions.toLocaleString('en-US')} sessions (raw rhea)`, a.ms.samples, fmtMs(a.ms.p50), fmtMs(a.ms.p99)]);
    for (const p of scale.peek) rows.push([`peek 10 from #${p.from.toLocaleString('en-US')} of ${p.messages.toLocaleString('en-US')} (SDK)`, p.ms.samples, fmtMs(p.ms.p50), fmtMs(p.ms.p99)]);
    const r = scale.receiveBySequenceNumber;
    rows.push([`receive-by-sequence-number, 1 deferred of ${r.messages.toLocaleString('en-US')} (SDK)`, r.ms.samples, fmtMs(r.ms.p50), fmtMs(r.ms.p99)]);
    out += table('Scaling (state built in-process, operations over AMQP)', ['operation', 'samples', 'p50 ms', 'p99 ms'], rows);
  }
  for (const ph of profile?.phases ?? []) {
    out += table(`Emulator CPU by area, ${ph.phase} (self time within the phase)`, ['area', 'ms', '%'], ph.areas.map((a) => [a.area, a.ms, a.pct]));
    out += table(
      `Emulator CPU profile, ${ph.phase} at ${fmtRate(ph.rate)} msg/s (rhea client; self time within the phase; ${profile!.file})`,
      ['function', 'where', 'self ms', '%'],
      ph.top.map((t) => [t.fn, t.where, t.selfMs, t.pct]),
    );
  }
  if (skips.length > 0) out += `\n### Skipped\n\n${skips.map((s) => `- ${s.part}: ${s.reason}`).join('\n')}\n`;
  out += `\nTotal bench time: ${((Date.now() - started) / 1000).toFixed(0)} s\n`;
  process.stdout.write(out);

  Object.assign(results, { throughput: tp, throughputRounds: tpRounds, latency: lat, systems: infos, sessions: sessionsRows, startup: startupResult, memory, scaling: scale, profile, skips, totalSeconds: (Date.now() - started) / 1000 });
  const dir = path.join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const date = machine.date.slice(0, 10);
  writeFileSync(path.join(dir, `${date}.json`), JSON.stringify(results, null, 2) + '\n');
  if (tp.length > 0 || lat.length > 0) {
    const systems = [...new Set([...seriesNames(tp), ...lat.map((r) => r.system)])];
    const groups = throughputGroups(tp);
    const latGroups: BarGroup[] = (['p50', 'p99', 'p999'] as const).map((k) => ({
      label: k === 'p999' ? 'p99.9' : k,
      values: lat.map((r) => ({ system: r.system, value: r[k] })),
    }));
    writeFileSync(
      path.join(dir, `${date}.svg`),
      svgChart(`servicebus-emulator bench ${date} — ${machine.cores} cores, Node ${machine.node}`, groups, latGroups, systems),
    );
  }
  log(`results: bench/results/${date}.json${tp.length > 0 || lat.length > 0 ? ` and ${date}.svg` : ''}`);
}

try {
  await main();
} finally {
  cleanupTemp();
}
