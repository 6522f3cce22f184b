/**
 * Small helpers shared by the bench parts: ports, processes, RSS, percentiles, logging.
 * Nothing here depends on the emulator's source.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Progress lines go to stderr so stdout stays the table. */
export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connection to host:port succeeds, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1', stillAlive?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (stillAlive && !stillAlive()) throw new Error(`process exited before port ${port} opened`);
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** RSS in bytes of a process and all its descendants (RabbitMQ and Java fork helpers). */
export function rssOfTree(pid: number): number {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) total += rssOf(p);
  return total;
}

export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Gone already.
    }
  }
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * CPU time (user + system, ms) the given processes have used so far, from /proc/<pid>/stat at
 * 100 ticks a second. Per phase, CPU per message does not depend on how busy the machine is,
 * where msg/s does.
 */
export function cpuMsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 (utime, stime), counted from the state field (3).
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Gone.
    }
  }
  return ticks * 10;
}

/** The process and its descendants (RabbitMQ's beam runs below a shell script). */
export function treeOf(pid: number): number[] {
  return [pid, ...descendants(pid)];
}

export function mb(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}

/** Runs a command to completion; returns its status and output. */
export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 600_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

export function which(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** A child process whose output is kept (last 64 KB) for error messages. */
export interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  alive(): boolean;
  /** SIGTERM, then SIGKILL after graceMs. Resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(cmd: string, args: string[], options: SpawnOptions & { onStdout?: (chunk: string) => void } = {}): Child {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 65536) out = out.slice(-65536);
  };
  proc.stdout?.on('data', (d: Buffer) => {
    keep(d);
    options.onStdout?.(d.toString());
  });
  proc.stderr?.on('data', keep);
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      alive = false;
      resolve(code);
    });
    proc.once('error', () => {
      alive = false;
      resolve(null);
    });
  });
  return {
    proc,
    output: () => out,
    exited,
    alive: () => alive,
    async stop(graceMs = 5000) {
      if (!alive) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

export function fmtRate(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(n: number | undefined, digits = 2): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return n.toFixed(digits);
}
