/** Spawns the CLI as a process and reads what it prints. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const READY_LINE = 'Emulator Service is Successfully Up!';

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (test/globalSetup.ts does it)`);
}

/** The environment without anything the CLI reads, so the host's settings cannot leak in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'CONFIG_PATH',
    'EMULATOR_HOST',
    'EMULATOR_LISTEN_HOST',
    'TLS_HOSTNAMES',
    'EMULATOR_WS_PORT',
    'AMQP_PORT',
    'AMQPS_PORT',
    'EMULATOR_HTTP_PORT',
    'TLS_DIR',
    'SAS_KEY_NAME',
    'SAS_KEY_VALUE',
    'LOG_LEVEL',
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

export interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
}

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Running {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? cleanEnv(), stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until stdout holds `text`; fails with both streams when the process ends first or time runs out. */
export async function waitForOutput(p: Running, text: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  let ended: number | string | undefined;
  void p.exited.then((code) => (ended = code));
  while (!p.stdout().includes(text)) {
    if (ended !== undefined || Date.now() - started > timeoutMs) {
      throw new Error(
        `${ended !== undefined ? `process exited (${ended})` : 'timed out'} before printing ${JSON.stringify(text)}\n` +
          `stdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The ports the CLI printed after the readiness line. */
export function printedPorts(stdout: string): { amqp: number; http: number; amqps?: number; ws?: number } {
  const amqp = /AMQP connection string:\s+Endpoint=sb:\/\/[^:]+:(\d+);/.exec(stdout);
  const http = /Admin connection string:\s+Endpoint=sb:\/\/[^:]+:(\d+);/.exec(stdout);
  const amqps = /AMQPS \(TLS\) port:\s+(\d+)/.exec(stdout);
  const ws = /WebSocket port:\s+(\d+)/.exec(stdout);
  if (amqp === null || http === null) throw new Error(`no connection strings in:\n${stdout}`);
  return { amqp: Number(amqp[1]), http: Number(http[1]), ...(amqps ? { amqps: Number(amqps[1]) } : {}), ...(ws ? { ws: Number(ws[1]) } : {}) };
}
