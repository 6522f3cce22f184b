/** Drives bench/emulator-child.mjs over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { AmqpTarget } from './amqp.js';
import { BENCH_DIR, benchTemp, ROOT, SkipError } from './systems.js';

export interface EmulatorChild {
  pid: number;
  connectionString: string;
  target: AmqpTarget;
  call<T = any>(op: string, args?: unknown, timeoutMs?: number): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export async function startEmulatorChild(): Promise<EmulatorChild> {
  const proc: ChildProcess = fork(path.join(BENCH_DIR, 'emulator-child.mjs'), [path.join(benchTemp(), 'tls')], {
    cwd: ROOT,
    execArgv: ['--expose-gc', '--max-old-space-size=8192'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = await new Promise<{ amqpPort: number; connectionString: string }>((resolve, reject) => {
    const t = setTimeout(() => reject(new SkipError(`emulator child not ready in 30 s: ${stderr}`)), 30_000);
    proc.once('exit', (code) => reject(new SkipError(`emulator child exited (${code}): ${stderr.slice(-1500)}`)));
    proc.on('message', (m: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (m.ready) {
        clearTimeout(t);
        resolve(m);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
  });
  proc.on('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`emulator child exited: ${stderr.slice(-800)}`));
    pending.clear();
  });
  return {
    pid: proc.pid!,
    connectionString: ready.connectionString,
    target: { host: '127.0.0.1', port: ready.amqpPort, auth: 'cbs', keyName: 'RootManageSharedAccessKey', key: 'SAS_KEY_VALUE', address: (q) => q },
    call: (op, args, timeoutMs = 300_000) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const t = setTimeout(() => reject(new Error(`${op} timed out`)), timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(t);
            resolve(v as never);
          },
          reject: (e) => {
            clearTimeout(t);
            reject(e);
          },
        });
        proc.send({ id, op, args });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        proc.disconnect();
      }),
  };
}
