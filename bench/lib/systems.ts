/**
 * The systems under test, each started in its own process on loopback ports and stopped after:
 * the emulator (its CLI, `node dist/cli.js`), the ceiling server, RabbitMQ (Debian's package with
 * the AMQP 1.0 plugin); ActiveMQ Artemis is in artemis.ts.
 * A system that cannot start throws SkipError with the reason, and the bench prints a skip line.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AmqpTarget } from './amqp.js';
import { freePort, log, rssOfTree, run, startChild, waitForPort, which, type Child } from './util.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH_DIR = path.join(ROOT, 'bench');

export class SkipError extends Error {}

export interface System {
  name: string;
  target: AmqpTarget;
  pid: number;
  child: Child;
  /** Milliseconds from spawn to accepting AMQP connections (brokers: to a successful AMQP open). */
  startMs: number;
  rss(): number;
  stop(): Promise<void>;
  /** Emulator only. */
  connectionString?: string;
  httpPort?: number;
}

let tempRoot: string | undefined;
export function benchTemp(): string {
  tempRoot ??= mkdtempSync(path.join(tmpdir(), 'sbemu-bench-'));
  return tempRoot;
}
export function cleanupTemp(): void {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
}

// ---- the emulator -----------------------------------------------------------------------------

export const READY_LINE = 'Emulator Service is Successfully Up!';

/** Queues every emulator run needs, in Microsoft's Config.json format. */
export function writeEmulatorConfig(): string {
  const props = (requiresSession: boolean) => ({
    DeadLetteringOnMessageExpiration: false,
    DefaultMessageTimeToLive: 'PT1H',
    DuplicateDetectionHistoryTimeWindow: 'PT20S',
    ForwardDeadLetteredMessagesTo: '',
    ForwardTo: '',
    LockDuration: 'PT5M',
    MaxDeliveryCount: 10,
    RequiresDuplicateDetection: false,
    RequiresSession: requiresSession,
    MaxSizeInMegabytes: 5120,
  });
  const queues = [
    ...['bench-256', 'bench-4096', 'bench-latency', 'bench-fill', 'bench-profile'].map((n) => ({ Name: n, Properties: props(false) })),
    ...[1, 4, 16].map((k) => ({ Name: `bench-sessions-${k}`, Properties: props(true) })),
  ];
  const config = { UserConfig: { Namespaces: [{ Name: 'sbemulatorns', Queues: queues, Topics: [] }], Logging: { Type: 'Console' } } };
  const file = path.join(benchTemp(), 'Config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** How to run the CLI: the build when it is there (npm run build first), else the sources via tsx. */
export function emulatorCommand(nodeArgs: string[] = []): { cmd: string; args: string[]; how: string } {
  const dist = path.join(ROOT, 'dist/cli.js');
  if (existsSync(dist)) return { cmd: process.execPath, args: [...nodeArgs, dist], how: 'node dist/cli.js' };
  return { cmd: process.execPath, args: [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'src/cli.ts')], how: 'node --import tsx src/cli.ts' };
}

export function buildEmulator(): boolean {
  log('npm run build ...');
  const r = run('npm', ['run', 'build'], { cwd: ROOT, timeoutMs: 180_000 });
  if (r.status !== 0) {
    log(`npm run build failed (status ${r.status}); using whatever dist/ holds, or the sources via tsx:\n${(r.stdout + r.stderr).slice(-2000)}`);
    return false;
  }
  return true;
}

export async function startEmulatorProcess(options: { nodeArgs?: string[]; amqpPort?: number; httpPort?: number } = {}): Promise<System> {
  const config = writeEmulatorConfig();
  const { cmd, args } = emulatorCommand(options.nodeArgs);
  const tlsDir = path.join(benchTemp(), 'tls');
  let stdout = '';
  const started = performance.now();
  let readyAt = 0;
  const child = startChild(
    cmd,
    [
      ...args,
      '--config', config,
      '--host', '127.0.0.1',
      '--amqp-port', String(options.amqpPort ?? 0),
      '--http-port', String(options.httpPort ?? 0),
      '--amqps-port', 'off',
      '--tls-dir', tlsDir,
      '--log-level', 'warn',
    ],
    {
      cwd: ROOT,
      onStdout: (s) => {
        stdout += s;
        if (readyAt === 0 && stdout.includes(READY_LINE)) readyAt = performance.now();
      },
    },
  );
  const deadline = Date.now() + 30_000;
  while (!/Health:\s+http:\/\/[^\s]+:(\d+)\/health/.test(stdout)) {
    if (!child.alive()) throw new SkipError(`emulator exited at start: ${child.output().slice(-1500)}`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new SkipError(`emulator not ready within 30 s: ${child.output().slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const amqpPort = Number(/Endpoint=sb:\/\/[^:;]+:(\d+);/.exec(stdout)![1]);
  const httpPort = Number(/Health:\s+http:\/\/[^\s]+:(\d+)\/health/.exec(stdout)![1]);
  const connectionString = /AMQP connection string:\s+(\S+)/.exec(stdout)![1]!;
  return {
    name: 'emulator',
    target: { host: '127.0.0.1', port: amqpPort, auth: 'cbs', keyName: 'RootManageSharedAccessKey', key: 'SAS_KEY_VALUE', address: (q) => q },
    pid: child.proc.pid!,
    child,
    startMs: readyAt - started,
    rss: () => rssOfTree(child.proc.pid!),
    stop: () => child.stop(),
    connectionString,
    httpPort,
  };
}

// ---- the ceiling ------------------------------------------------------------------------------

export async function startCeilingProcess(): Promise<System> {
  let stdout = '';
  const started = performance.now();
  const child = startChild(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'ceiling-server.ts'), '--port', '0'], {
    cwd: ROOT,
    onStdout: (s) => (stdout += s),
  });
  const deadline = Date.now() + 30_000;
  while (!/ceiling listening on (\d+)/.test(stdout)) {
    if (!child.alive() || Date.now() > deadline) {
      await child.stop();
      throw new SkipError(`ceiling server did not start: ${child.output().slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const port = Number(/ceiling listening on (\d+)/.exec(stdout)![1]);
  return {
    name: 'ceiling',
    target: { host: '127.0.0.1', port, auth: 'none', address: (q) => q },
    pid: child.proc.pid!,
    child,
    startMs: performance.now() - started,
    rss: () => rssOfTree(child.proc.pid!),
    stop: () => child.stop(),
  };
}

// ---- apt ----------------------------------------------------------------------------------------

let aptUpdated = false;
function aptInstall(pkg: string): void {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  if (!which('apt-get')) throw new SkipError(`apt-get is not available to install ${pkg}`);
  const cmd = (args: string[]) => {
    const all = [...sudo, ...args];
    return run(all[0]!, all.slice(1), { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 900_000 });
  };
  log(`apt-get install -y ${pkg} ...`);
  let r = cmd(['apt-get', 'install', '-y', '-q', '--no-install-recommends', pkg]);
  if (r.status !== 0 && !aptUpdated) {
    aptUpdated = true;
    cmd(['apt-get', 'update', '-q']);
    r = cmd(['apt-get', 'install', '-y', '-q', '--no-install-recommends', pkg]);
  }
  if (r.status !== 0) throw new SkipError(`apt-get install ${pkg} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
}

function dpkgVersion(pkg: string): string | undefined {
  const r = run('dpkg-query', ['-W', '-f=${Version}', pkg]);
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

// ---- RabbitMQ -----------------------------------------------------------------------------------

const RABBIT_BIN = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export async function startRabbitMQ(install: boolean): Promise<System & { version: string }> {
  if (!existsSync(RABBIT_BIN)) {
    if (!install) throw new SkipError('rabbitmq-server is not installed (and --no-install was given)');
    aptInstall('rabbitmq-server');
  }
  if (!existsSync(RABBIT_BIN)) throw new SkipError(`rabbitmq-server installed but ${RABBIT_BIN} is missing`);
  const version = dpkgVersion('rabbitmq-server') ?? 'unknown';
  const plugins = readdirSync(path.dirname(path.dirname(RABBIT_BIN)) + '/lib').flatMap((d) => {
    try {
      return readdirSync(`/usr/lib/rabbitmq/lib/${d}/plugins`);
    } catch {
      return [];
    }
  });
  if (!plugins.some((p) => p.startsWith('rabbitmq_amqp1_0'))) throw new SkipError(`RabbitMQ ${version} has no rabbitmq_amqp1_0 plugin`);

  const dir = path.join(benchTemp(), 'rabbitmq');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const distPort = await freePort();
  writeFileSync(path.join(dir, 'enabled_plugins'), '[rabbitmq_amqp1_0].\n');
  writeFileSync(path.join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\nvm_memory_high_watermark.relative = 0.6\n`);
  const epmdBefore = run('pgrep', ['-x', 'epmd']).stdout.trim();
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: `sbemubench${process.pid}@localhost`,
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_PLUGINS_EXPAND_DIR: path.join(dir, 'plugins-expand'),
    RABBITMQ_PID_FILE: path.join(dir, 'pid'),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
  };
  const started = performance.now();
  const child = startChild(RABBIT_BIN, [], { cwd: dir, env, detached: false });
  try {
    await waitForPort(port, 60_000, '127.0.0.1', child.alive);
  } catch (e) {
    await child.stop();
    throw new SkipError(`RabbitMQ ${version} did not start: ${(e as Error).message}; ${child.output().slice(-800)}`);
  }
  const startMs = performance.now() - started;
  const epmdAfter = run('pgrep', ['-x', 'epmd']).stdout.trim();
  const ourEpmd = epmdBefore === '' && epmdAfter !== '' ? Number(epmdAfter.split('\n')[0]) : undefined;
  const pid = child.proc.pid!;
  return {
    name: 'rabbitmq',
    version,
    target: { host: '127.0.0.1', port, auth: 'plain', username: 'guest', password: 'guest', address: (q) => `/queue/${q}` },
    pid,
    child,
    startMs,
    rss: () => rssOfTree(pid),
    async stop() {
      await child.stop(15_000);
      // epmd outlives the node; stop it only if this run started it.
      if (ourEpmd !== undefined) {
        try {
          process.kill(ourEpmd, 'SIGTERM');
        } catch {
          // Gone.
        }
      }
    },
  };
}
