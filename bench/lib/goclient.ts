/**
 * The second load client: bench/goclient (Go, github.com/Azure/go-amqp), built once per bench run
 * into bench/.cache and run per system and size beside the rhea client, so a figure the rhea
 * client caps shows up as a gap between the two.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PhaseResult } from './amqp.js';
import { BENCH_DIR, SkipError, type System } from './systems.js';
import { log, run, treeOf, which } from './util.js';
import type { ThroughputRow } from '../parts/throughput.js';

const BIN = path.join(BENCH_DIR, '.cache', 'goclient');
let built: string | undefined;

export function buildGoClient(): string {
  if (built) return built;
  if (!which('go')) throw new SkipError('go is not installed: the go-amqp client is not run');
  mkdirSync(path.dirname(BIN), { recursive: true });
  log('go build bench/goclient ...');
  const r = run('go', ['build', '-o', BIN, '.'], { cwd: path.join(BENCH_DIR, 'goclient'), timeoutMs: 600_000 });
  if (r.status !== 0) throw new SkipError(`go build bench/goclient failed: ${(r.stdout + r.stderr).trim().slice(-800)}`);
  built = BIN;
  return BIN;
}

function targetArgs(sys: System): string[] {
  const t = sys.target;
  const args = ['-host', t.host, '-port', String(t.port), '-auth', t.auth];
  if (t.auth === 'plain') args.push('-user', t.username ?? '', '-pass', t.password ?? '');
  if (t.auth === 'cbs') args.push('-key-name', t.keyName ?? 'RootManageSharedAccessKey', '-key', t.key ?? 'SAS_KEY_VALUE');
  return args;
}

function runGo(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(buildGoClient(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`goclient exited ${code ?? 'on a signal (timed out)'}: ${err.trim().slice(-800)}`));
    });
  });
}

/** The suite of bench/parts/throughput.ts (warm-up, send, receive+accept, send, receive-and-delete) with go-amqp. */
export async function goThroughput(sys: System, sizes: number[], n: number, window: number, creditWindow: number): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const size of sizes) {
    const out = await runGo(
      [...targetArgs(sys), '-cpu-pids', treeOf(sys.pid).join(','), '-address', sys.target.address(`bench-${size}`), '-size', String(size), '-n', String(n), '-window', String(window), '-credit', String(creditWindow), '-mode', 'suite'],
      // Six phases of at most a minute each (the client's own -timeout), and a margin.
      420_000,
    );
    const r = JSON.parse(out) as Record<string, PhaseResult>;
    rows.push({ system: sys.name, client: 'go', size, count: n, send: r.send!, receiveAccept: r.receiveAccept!, receiveAndDelete: r.receiveAndDelete!, send2: r.send2! });
    log(
      `${sys.name} ${size} B (go-amqp): send ${Math.round(r.send!.rate)}/s (${Math.round(r.send2!.rate)}/s), receive+accept ${Math.round(r.receiveAccept!.rate)}/s, ` +
        `receive-and-delete ${Math.round(r.receiveAndDelete!.rate)}/s`,
    );
  }
  return rows;
}
