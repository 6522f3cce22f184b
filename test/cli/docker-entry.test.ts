/**
 * No Docker engine runs here, so this test checks docker/Dockerfile by reading it and by running
 * its runtime stage's exact CMD with its exact ENV (ports overridden to free ones, TLS in a temp
 * dir, Microsoft's SQL variables set to show they are ignored), from the repository root, which
 * stands for the image's WORKDIR (package.json and dist/).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { assertBuilt, cleanEnv, printedPorts, READY_LINE, ROOT, run, waitForOutput, type Running } from './helpers.js';

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]! });
  }
  return out;
}

/** `ENV A=1 B="two"` (and the legacy `ENV A 1`) into pairs. */
function parseEnv(args: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (!/^\S+=/.test(args)) {
    const [k, ...v] = args.split(/\s+/);
    return [[k!, v.join(' ')]];
  }
  const re = /(\S+?)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of args.matchAll(re)) {
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    pairs.push([m[1]!, value]);
  }
  return pairs;
}

const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
const runtime = instructions.slice(lastFrom);
const imageEnv = Object.fromEntries(runtime.filter((i) => i.keyword === 'ENV').flatMap((i) => parseEnv(i.args)));
const cmd = JSON.parse(runtime.findLast((i) => i.keyword === 'CMD')!.args) as string[];
const entrypoint = runtime.findLast((i) => i.keyword === 'ENTRYPOINT');
const command = [...(entrypoint ? (JSON.parse(entrypoint.args) as string[]) : []), ...cmd];
const healthcheck = runtime.findLast((i) => i.keyword === 'HEALTHCHECK')!;

describe('docker/Dockerfile, read', () => {
  it('is multi-stage on a small Node base, with a non-root runtime user', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^node:\$\{NODE_VERSION\}-alpine|^node:2\d-alpine/);
    const user = runtime.findLast((i) => i.keyword === 'USER');
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)$/);
  });

  it('builds with the build script and ships dist/ alone: no dependency install in the runtime stage', () => {
    const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(runs).not.toContain('npm ci');
    expect(runtime.some((i) => i.keyword === 'COPY' && /--from=build\s+\S*dist\s+\.\/dist/.test(i.args))).toBe(true);
    const build = instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(build).toContain('scripts ./scripts');
    const ignore = readFileSync(join(ROOT, 'docker/Dockerfile.dockerignore'), 'utf8');
    expect(ignore).toContain('!scripts/**');
  });

  it("binds 0.0.0.0, exposes Microsoft's ports and 443 for WebSockets, and reads its config path", () => {
    expect(imageEnv).toMatchObject({
      EMULATOR_LISTEN_HOST: '0.0.0.0',
      TLS_HOSTNAMES: '@host',
      AMQP_PORT: '5672',
      AMQPS_PORT: '5671',
      EMULATOR_HTTP_PORT: '5300',
      EMULATOR_WS_PORT: '443',
      CONFIG_PATH: '/ServiceBus_Emulator/ConfigFiles/Config.json',
    });
    const exposed = runtime.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed.sort()).toEqual(['443', '5300', '5671', '5672']);
  });

  it('checks health on /health and starts node dist/cli.js', () => {
    expect(healthcheck.args).toContain('/health');
    expect(command).toEqual(['node', 'dist/cli.js']);
  });

  it('dist/ runs with no node_modules beside it, as in the runtime stage', async () => {
    assertBuilt();
    const app = mkdtempSync(join(tmpdir(), 'sbemu-dist-only-'));
    try {
      cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
      const env = cleanEnv({ AMQP_PORT: '0', AMQPS_PORT: 'off', EMULATOR_HTTP_PORT: '0', TLS_DIR: join(app, 'tls') });
      const alone = run(process.execPath, ['dist/cli.js'], { env, cwd: app });
      await waitForOutput(alone, READY_LINE);
      alone.child.kill('SIGTERM');
      expect(await alone.exited).toBe(0);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});

describe("docker/Dockerfile's entry command, run (needs the AMQP listener, the admin server and TLS)", () => {
  let tls: string;
  let p: Running | undefined;
  beforeAll(() => {
    assertBuilt();
    tls = mkdtempSync(join(tmpdir(), 'sbemu-docker-'));
  });
  afterAll(async () => {
    if (p && p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    rmSync(tls, { recursive: true, force: true });
  });

  it('prints the readiness line, passes the HEALTHCHECK and stops on SIGTERM (docker stop)', async () => {
    const env = cleanEnv({
      ...imageEnv,
      AMQP_PORT: '0',
      AMQPS_PORT: '0',
      EMULATOR_HTTP_PORT: '0',
      EMULATOR_WS_PORT: '0',
      TLS_DIR: tls,
      // What compose files written for Microsoft's image pass:
      ACCEPT_EULA: 'Y',
      SQL_SERVER: 'sqledge',
      MSSQL_SA_PASSWORD: 'A_Str0ng_Required_Password',
      SQL_WAIT_INTERVAL: '0',
    });
    p = run(command[0] === 'node' ? process.execPath : command[0]!, command.slice(1), { env, cwd: ROOT });
    await waitForOutput(p, READY_LINE);
    const ports = printedPorts(p.stdout());
    expect(ports.amqps).toBeGreaterThan(0);
    // The image's WebSocket port (443 there) takes the upgrade clients send, over TLS.
    expect(ports.ws).toBeGreaterThan(0);
    const ws = new WebSocket(`wss://localhost:${ports.ws}/$servicebus/websocket`, ['AMQPWSB10'], { ca: readFileSync(join(tls, 'ca.pem')) });
    const opened = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => resolve(ws.protocol));
      ws.once('error', reject);
    });
    expect(opened).toBe('AMQPWSB10');
    ws.close();

    // The HEALTHCHECK command, exec form, with the port the process really got.
    const hc = JSON.parse(/CMD\s+(\[.*\])\s*$/.exec(healthcheck.args)![1]!) as string[];
    const check = run(hc[0] === 'node' ? process.execPath : hc[0]!, hc.slice(1), {
      env: { ...env, EMULATOR_HTTP_PORT: String(ports.http) },
      cwd: ROOT,
    });
    expect(await check.exited).toBe(0);

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
