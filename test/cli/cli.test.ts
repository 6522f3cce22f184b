/**
 * The CLI as users run it: `node dist/cli.js` (built by test/globalSetup.ts), free ports (0),
 * a throw-away TLS directory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, cleanEnv, printedPorts, READY_LINE, ROOT, run, waitForOutput, type Running } from './helpers.js';

let dir: string;
const running: Running[] = [];

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sbemu-cli-'));
});
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const freePortsArgs = () => ['--amqp-port', '0', '--amqps-port', '0', '--http-port', '0', '--tls-dir', join(dir, 'tls')];

function sbemu(args: string[], env: Record<string, string> = {}): Running {
  const p = run(process.execPath, [CLI, ...args], { env: cleanEnv(env) });
  running.push(p);
  return p;
}

function writeConfig(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

describe('sbemu without a listener', () => {
  it('--help lists every flag with its environment variable, exit 0', async () => {
    const p = sbemu(['--help']);
    expect(await p.exited).toBe(0);
    const help = p.stdout();
    expect(help).toContain('Usage: sbemu');
    for (const [flag, env] of [
      ['--config', 'CONFIG_PATH'],
      ['--host', 'EMULATOR_LISTEN_HOST'],
      ['--tls-hostnames', 'TLS_HOSTNAMES'],
      ['--amqp-port', 'AMQP_PORT'],
      ['--amqps-port', 'AMQPS_PORT'],
      ['--http-port', 'EMULATOR_HTTP_PORT'],
      ['--ws-port', 'EMULATOR_WS_PORT'],
      ['--tls-dir', 'TLS_DIR'],
      ['--key-name', 'SAS_KEY_NAME'],
      ['--key ', 'SAS_KEY_VALUE'],
      ['--log-level', 'LOG_LEVEL'],
      ['--clock', 'EMULATOR_CLOCK'],
      ['--control-api', 'EMULATOR_CONTROL_API'],
      ['--journal-size', 'EMULATOR_JOURNAL_SIZE'],
      ['--version', ''],
    ]) {
      expect(help).toContain(flag!);
      expect(help).toContain(env!);
    }
  });

  it('--version prints the package version, exit 0', async () => {
    const p = sbemu(['--version']);
    expect(await p.exited).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(p.stdout().trim()).toBe(version);
  });

  it('a bad config exits 2 naming the file and the JSON path', async () => {
    const file = writeConfig('bad.json', {
      UserConfig: {
        Namespaces: [
          { Name: 'ns', Queues: [{ Name: 'a' }, { Name: 'b' }, { Name: 'c', Properties: { LockDuration: 'five minutes' } }] },
        ],
      },
    });
    const p = sbemu(['--config', file, ...freePortsArgs()]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain(file);
    expect(p.stderr()).toContain('UserConfig.Namespaces[0].Queues[2].Properties.LockDuration');
    expect(p.stderr()).toContain("'five minutes' is not an ISO 8601 duration");
    expect(p.stdout()).not.toContain(READY_LINE);
  });

  it('a JSON syntax error exits 2 with the line and column', async () => {
    const file = writeConfig('syntax.json', '{\n  "UserConfig": {\n    "Namespaces": [ }\n}');
    const p = sbemu(['--config', file, ...freePortsArgs()]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/JSON syntax error at line 3/);
  });

  it('a --config that does not exist exits 2', async () => {
    const missing = join(dir, 'missing.json');
    const p = sbemu(['--config', missing, ...freePortsArgs()]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain(`${missing}: the file does not exist`);
  });

  it('CONFIG_PATH from the environment that does not exist exits 2 too (unless it is the container path)', async () => {
    const missing = join(dir, 'missing-env.json');
    const p = sbemu(freePortsArgs(), { CONFIG_PATH: missing });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain(missing);
  });

  it.each([
    [['--amqp-port', 'abc'], /--amqp-port.*'abc' is invalid/],
    [['--http-port', '70000'], /--http-port.*'70000' is invalid/],
    [['--ws-port', 'yes'], /--ws-port.*'yes' is invalid/],
    [['--log-level', 'loud'], /--log-level.*'loud' is invalid/],
    [['--clock', 'fast'], /--clock.*'fast' is invalid/],
    [['--control-api', 'maybe'], /--control-api.*'maybe' is invalid/],
    [['--journal-size', '-1'], /--journal-size.*'-1' is invalid/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
  ])('usage error %j exits 2', async (args, message) => {
    const p = sbemu(args);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(message);
  });

  it('an invalid port in the environment names the variable, exit 2', async () => {
    const p = sbemu([], { AMQP_PORT: 'x' });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain("from env 'AMQP_PORT' is invalid");
  });
});

describe('sbemu running (needs the AMQP listener, the admin server and TLS)', () => {
  async function started(args: string[] = [], env: Record<string, string> = {}) {
    const p = sbemu([...freePortsArgs(), ...args], env);
    await waitForOutput(p, READY_LINE);
    return { p, ports: printedPorts(p.stdout()) };
  }

  it('prints the readiness line and the connection strings, serves /health, exits 0 on SIGTERM', async () => {
    const { p, ports } = await started();
    expect(p.stdout().split('\n')[0]).toBe(READY_LINE);
    expect(p.stdout()).toMatch(
      /AMQP connection string:\s+Endpoint=sb:\/\/localhost:\d+;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;/,
    );
    expect(ports.amqp).toBeGreaterThan(0);
    expect(ports.amqps).toBeGreaterThan(0);
    // The WebSocket port is off by default; the admin port serves WebSockets in any case.
    expect(ports.ws).toBeUndefined();
    expect(p.stdout()).toContain(`AMQP over WebSockets:    wss://127.0.0.1:${ports.http}/$servicebus/websocket`);
    const res = await fetch(`http://127.0.0.1:${ports.http}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy', message: 'Service is healthy.' });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('EMULATOR_CLOCK=offset lets the control API move time; --control-api off hides it', async () => {
    const auth = { authorization: `Basic ${Buffer.from('RootManageSharedAccessKey:SAS_KEY_VALUE').toString('base64')}`, 'content-type': 'application/json' };
    const { p, ports } = await started([], { EMULATOR_CLOCK: 'offset' });
    const res = await fetch(`http://127.0.0.1:${ports.http}/emulator/clock/advance`, { method: 'POST', headers: auth, body: '{"duration":"PT1H"}' });
    expect(await res.json()).toMatchObject({ offsetMs: 3_600_000 });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const off = await started(['--control-api', 'off']);
    expect((await fetch(`http://127.0.0.1:${off.ports.http}/emulator/clock`, { headers: auth })).status).toBe(404);
    off.p.child.kill('SIGTERM');
    expect(await off.p.exited).toBe(0);
  });

  it('exits 0 on SIGINT', async () => {
    const { p } = await started();
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
  });

  it('accepts a config file, key options and --amqps-port off', async () => {
    const file = writeConfig('good.jsonc', '// comment\n{"UserConfig":{"Namespaces":[{"Name":"x","Queues":[{"Name":"q1",},]}]}}');
    const { p, ports } = await started(['--config', file, '--key-name', 'me', '--key', 'secret', '--amqps-port', 'off']);
    expect(p.stdout()).toContain('SharedAccessKeyName=me;SharedAccessKey=secret;');
    expect(ports.amqps).toBeUndefined();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it.each([
    ['--ws-port 0', ['--ws-port', '0'], {}],
    ['EMULATOR_WS_PORT=0', [], { EMULATOR_WS_PORT: '0' }],
  ])('%s opens the WebSocket port and prints it', async (_name, args, env) => {
    const { p, ports } = await started(args, env);
    expect(ports.ws).toBeGreaterThan(0);
    // A plain GET there asks for the upgrade: the port is ours and serves only WebSockets.
    const res = await fetch(`http://127.0.0.1:${ports.ws}/$servicebus/websocket`);
    expect(res.status).toBe(426);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it("falls back to the embedded default when CONFIG_PATH is Microsoft's container path and it is absent", async () => {
    const { p } = await started([], { CONFIG_PATH: '/ServiceBus_Emulator/ConfigFiles/Config.json' });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('a port in use exits 1 with a clear message', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const p = sbemu(['--amqp-port', '0', '--amqps-port', 'off', '--http-port', String(port), '--tls-dir', join(dir, 'tls')]);
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toContain(`cannot listen on 127.0.0.1:${port} (HTTP): the port is already in use`);
      expect(p.stderr()).toContain('--http-port');
      expect(p.stdout()).not.toContain(READY_LINE);
    } finally {
      blocker.close();
    }
  });
});
