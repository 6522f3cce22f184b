/**
 * What a new user meets first, run as they would run it: `npm start` under a process manager,
 * HTTPS under a Compose service name, a shared .env with Microsoft's client-side variables, and
 * stderr read by a log collector.
 */
import { ServiceBusClient } from '@azure/service-bus';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanEnv, printedPorts, READY_LINE, run, waitForOutput, type Running } from './helpers.js';

let tls: string;
const running: Running[] = [];

beforeAll(() => {
  assertBuilt();
  tls = mkdtempSync(join(tmpdir(), 'sbemu-firstrun-'));
});
afterAll(async () => {
  for (const p of running) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
  rmSync(tls, { recursive: true, force: true });
});

function sbemu(args: string[], env: Record<string, string> = {}): Running {
  const p = run(process.execPath, ['dist/cli.js', '--amqp-port', '0', '--http-port', '0', '--amqps-port', 'off', '--tls-dir', tls, ...args], {
    env: cleanEnv(env),
  });
  running.push(p);
  return p;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('passes SIGTERM on to the emulator, which stops and frees its ports', async () => {
    const npm = run('npm', ['start', '--', '--amqp-port', '0', '--http-port', '0', '--amqps-port', 'off', '--tls-dir', tls, '--log-level', 'info'], {
      env: cleanEnv(),
    });
    running.push(npm);
    await waitForOutput(npm, READY_LINE);
    const { http } = printedPorts(npm.stdout());
    const pid = (JSON.parse(npm.stderr().split('\n')[0]!) as { pid: number }).pid;
    expect(pid).not.toBe(npm.child.pid);
    expect(alive(pid)).toBe(true);

    npm.child.kill('SIGTERM');
    await npm.exited;
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid), 'node dist/cli.js outlived npm start').toBe(false);
    expect(npm.stderr()).toContain('"signal":"SIGTERM"');
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(http, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('--tls-hostnames', () => {
  it('lets an admin client reach HTTPS under another host name, verified by the CA', async () => {
    const p = sbemu(['--tls-hostnames', 'sb-emulator,10.9.8.7']);
    await waitForOutput(p, READY_LINE);
    const { http } = printedPorts(p.stdout());
    const ca = readFileSync(join(tls, 'ca.pem'));
    const get = (servername: string): Promise<number> =>
      new Promise((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port: http, path: '/health', servername, ca, agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    expect(await get('sb-emulator')).toBe(200);
    await expect(get('not-in-the-certificate')).rejects.toThrow(/altnames|Hostname/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('refuses a name that is neither a DNS name nor an IP address, exit 2', async () => {
    const p = sbemu(['--tls-hostnames', 'bad name/x']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('is not a DNS name or an IP address');
  });
});

describe('environment variables', () => {
  it("ignores EMULATOR_HOST, the clients' variable in Microsoft's samples, and listens where EMULATOR_LISTEN_HOST says", async () => {
    // 203.0.113.1 (TEST-NET-3) is on no interface here: listening on it would fail to start.
    const p = sbemu([], { EMULATOR_HOST: '203.0.113.1', EMULATOR_LISTEN_HOST: '127.0.0.1' });
    await waitForOutput(p, READY_LINE);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const bad = sbemu([], { EMULATOR_LISTEN_HOST: '203.0.113.1' });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toContain('EMULATOR_LISTEN_HOST');
  });
});

describe('stderr', () => {
  it('holds nothing but JSON lines at debug level, through SDK traffic, a bad protocol header and shutdown', async () => {
    const p = sbemu(['--log-level', 'debug']);
    await waitForOutput(p, READY_LINE);
    const { amqp } = printedPorts(p.stdout());
    const client = new ServiceBusClient(
      `Endpoint=sb://localhost:${amqp};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    );
    try {
      await client.createSender('queue.1').sendMessages({ body: 'hello' });
      const receiver = client.createReceiver('queue.1');
      const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
      expect(m?.body).toBe('hello');
      await receiver.completeMessage(m!);
    } finally {
      await client.close();
    }
    await new Promise<void>((resolve) => {
      const s = net.connect(amqp, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\n\r\n'));
      s.resume();
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const lines = p.stderr().split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(p.stderr()).toContain('unsupported protocol header');
  });
});
