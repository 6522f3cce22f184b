/**
 * `npm run fuzz -- --frames N [--seed S] [--concurrency K] [--linger MS] [--corpus F] [--save-corpus F] [--in-process]`
 *
 * The long run. The emulator runs as users run it, `node dist/cli.js` in its own process (built by
 * the npm script first), so its RSS is its own (/proc/<pid>/status) and a crash is an exit. The
 * corpus is captured from the SDK through a proxy, then run.ts replays it mutated. After the run:
 * /health, a fresh SDK round trip, and a clean SIGTERM shutdown. Prints the summary table; exits 1
 * on any failure. --in-process runs the emulator inside this process instead (stack traces of
 * engine errors in the output, no crash detection).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startEmulator } from '../../src/index.js';
import { createRootLogger } from '../../src/server/logger.js';
import { assertBuilt, CLI, cleanEnv, printedPorts, run, waitForOutput } from '../cli/helpers.js';
import { captureCorpus, frameCount, loadCorpus, saveCorpus } from './capture.js';
import { FUZZ_CONFIG } from './entities.js';
import { freshRoundTrip } from './healthy.js';
import { summary } from './report.js';
import { runFuzz, verdict } from './run.js';

function args(argv: string[]) {
  const o = { frames: 100_000, seed: Date.now() % 2 ** 31, concurrency: 12, linger: 150, corpus: '', saveCorpus: '', inProcess: false, only: undefined as number[] | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--frames') o.frames = Number(value());
    else if (a === '--seed') o.seed = Number(value());
    else if (a === '--concurrency') o.concurrency = Number(value());
    else if (a === '--linger') o.linger = Number(value());
    else if (a === '--corpus') o.corpus = value();
    else if (a === '--save-corpus') o.saveCorpus = value();
    else if (a === '--in-process') o.inProcess = true;
    else if (a === '--only') o.only = value().split(',').map(Number);
    else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['frames', 'seed', 'concurrency', 'linger'] as const) if (!Number.isInteger(o[k]) || o[k] < 0) throw new Error(`--${k} must be a whole number`);
  return o;
}

const vmRss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/**
 * What the emulator wrote to stderr that it should not have: error-level log lines (pino level 50
 * and up), and any line that is not a JSON log line at all (a library printing on its own, which a
 * client must not be able to cause).
 */
function errorLines(text: string): string[] {
  return text.split('\n').filter((l) => {
    if (l.trim() === '') return false;
    try {
      return (JSON.parse(l) as { level?: number }).level! >= 50;
    } catch {
      return true;
    }
  });
}

interface Target {
  amqpPort: number;
  httpPort: number;
  rss: () => number;
  alive: () => boolean;
  errorLogs: () => string[];
  /** Stops the emulator; returns a problem, if any. */
  stop: () => Promise<string | undefined>;
}

async function childEmulator(dir: string): Promise<Target> {
  assertBuilt();
  const config = path.join(dir, 'Config.json');
  writeFileSync(config, JSON.stringify(FUZZ_CONFIG));
  const p = run(process.execPath, [CLI, '--config', config, '--host', '127.0.0.1', '--amqp-port', '0', '--http-port', '0', '--amqps-port', 'off', '--tls-dir', path.join(dir, 'tls'), '--log-level', 'error'], { env: cleanEnv() });
  let exit: number | string | undefined;
  void p.exited.then((code) => (exit = code));
  await waitForOutput(p, 'Health:', 30_000);
  const ports = printedPorts(p.stdout());
  return {
    amqpPort: ports.amqp,
    httpPort: ports.http,
    rss: () => (exit === undefined ? vmRss(p.child.pid!) : 0),
    alive: () => exit === undefined,
    errorLogs: () => errorLines(p.stderr()),
    async stop() {
      if (exit !== undefined) return `the emulator exited (${exit}): ${p.stderr().slice(-2000)}`;
      p.child.kill('SIGTERM');
      const code = await p.exited;
      return code === 0 ? undefined : `the emulator's shutdown exited with ${code}`;
    },
  };
}

async function inProcessEmulator(dir: string): Promise<Target> {
  let logs = '';
  const sink = new Writable({ write: (chunk, _enc, cb) => ((logs += String(chunk)), cb()) });
  const emu = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, config: FUZZ_CONFIG, tlsDir: path.join(dir, 'tls'), logger: createRootLogger('error', sink) });
  return {
    amqpPort: emu.amqpPort,
    httpPort: emu.httpPort,
    rss: () => process.memoryUsage().rss,
    alive: () => true,
    errorLogs: () => errorLines(logs),
    stop: async () => void (await emu.close()),
  };
}

async function main() {
  const o = args(process.argv.slice(2));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sbemu-fuzz-'));
  const log = (s: string) => process.stderr.write(`[fuzz] ${s}\n`);
  const target = o.inProcess ? await inProcessEmulator(dir) : await childEmulator(dir);
  const problems: string[] = [];
  try {
    log(`emulator on AMQP ${target.amqpPort}, HTTP ${target.httpPort} (${o.inProcess ? 'in process' : 'child process'})`);
    const corpus = o.corpus ? loadCorpus(o.corpus) : await captureCorpus(target.amqpPort);
    if (o.saveCorpus) saveCorpus(o.saveCorpus, corpus);
    log(`corpus: ${corpus.length} connections, ${frameCount(corpus)} frames (${corpus.map((c) => c.scenario).join(', ')})`);
    log(`seed ${o.seed}, concurrency ${o.concurrency}, target ${o.frames} mutated frames`);
    const report = await runFuzz({
      port: target.amqpPort, corpus, frames: o.frames, seed: o.seed, concurrency: o.concurrency, lingerMs: o.linger,
      rss: target.rss, alive: target.alive, progress: log, only: o.only,
    });
    problems.push(...verdict(report, o.only ? 0 : o.frames));
    if (target.alive()) {
      const health = await fetch(`http://127.0.0.1:${target.httpPort}/health`).then((r) => r.status, (e: Error) => e.message);
      if (health !== 200) problems.push(`/health answered ${health}`);
      await freshRoundTrip(target.amqpPort).catch((e: Error) => problems.push(e.message));
    }
    const errors = target.errorLogs();
    if (errors.length > 0) problems.push(`${errors.length} error-level log lines:\n${errors.slice(0, 10).map((e) => `    ${e.slice(0, 1500)}`).join('\n')}`);
    const stopped = await target.stop();
    if (stopped) problems.push(stopped);
    process.stdout.write(`${summary(report, problems)}\n`);
  } catch (e) {
    await target.stop().catch(() => undefined);
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().then(
  // SDK clients left behind by a crashed emulator would keep retrying: do not wait for them.
  () => process.exit(),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
