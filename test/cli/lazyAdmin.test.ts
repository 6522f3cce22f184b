/**
 * `node dist/cli.js` answers /health without loading the admin app (fastify and the ATOM code),
 * and loads it once for the first request that needs it, however many arrive at once.
 *
 * What the process loads is seen through a module hook (`--import`, node:module `register`) that
 * writes every file URL it loads to a file; a loaded file holding fastify's own error codes means
 * fastify was loaded.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueBody } from '../http/support/bodies.js';
import { sdkToken } from '../http/support/harness.js';
import { assertBuilt, CLI, cleanEnv, printedPorts, READY_LINE, run, waitForOutput, type Running } from './helpers.js';

let dir: string;
let p: Running;
let port: number;
let ca: string;
const loadedLog = () => join(dir, 'loaded.txt');

/** Two error codes only fastify's own code holds (src/ names neither). */
const FASTIFY_MARKERS = ['FST_ERR_CTP_ALREADY_PRESENT', 'FST_ERR_INSTANCE_ALREADY_LISTENING'];

function fastifyLoaded(): boolean {
  const urls = readFileSync(loadedLog(), 'utf8').split('\n').filter((u) => u.startsWith('file:'));
  return urls.some((u) => {
    const text = readFileSync(fileURLToPath(u), 'utf8');
    return FASTIFY_MARKERS.some((m) => text.includes(m));
  });
}

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sbemu-lazy-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(loadedLog())}, url + '\\n');
  return next(url, context);
}
`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url));\n`);
  writeFileSync(loadedLog(), '');
  p = run(
    process.execPath,
    ['--import', join(dir, 'register.mjs'), CLI, '--host', '127.0.0.1', '--amqp-port', '0', '--amqps-port', 'off', '--http-port', '0', '--tls-dir', join(dir, 'tls'), '--log-level', 'debug'],
    { env: cleanEnv() },
  );
  await waitForOutput(p, READY_LINE);
  port = printedPorts(p.stdout()).http;
  ca = readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8');
});

afterAll(async () => {
  if (p && p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** One HTTPS request (what the JS SDK's admin client speaks to this port). */
function httpsCall(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path, ca, servername: 'localhost', headers: { host: `localhost:${port}`, ...headers }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const signed = (path: string) => ({ authorization: sdkToken(`https://localhost:${port}${path}`, Date.now()) });

describe('the admin app is loaded on first use', () => {
  it('a started emulator answers /health (HTTP and HTTPS, GET and HEAD) without loading fastify', async () => {
    const plain = await fetch(`http://127.0.0.1:${port}/health`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await plain.json()).toEqual({ status: 'healthy', message: 'Service is healthy.' });
    expect((await fetch(`http://127.0.0.1:${port}/HEALTH/?probe=1`, { method: 'HEAD' })).status).toBe(200);
    const secure = await httpsCall('GET', '/health');
    expect(secure.status).toBe(200);
    expect(JSON.parse(secure.body)).toEqual({ status: 'healthy', message: 'Service is healthy.' });

    expect(readFileSync(loadedLog(), 'utf8')).toContain('/dist/cli.js');
    expect(fastifyLoaded()).toBe(false);
    expect(p.stderr()).not.toMatch(/"level":50/);
  });

  it('requests that arrive together while the app loads all get their answers, bodies included', async () => {
    const create = (name: string) => httpsCall('PUT', `/${name}?api-version=2021-05`, { ...signed(`/${name}?api-version=2021-05`), 'content-type': 'application/atom+xml;type=entry;charset=utf-8' }, queueBody({ MaxDeliveryCount: 7 }));
    const results = await Promise.all([
      create('lazy-a'),
      create('lazy-b'),
      httpsCall('GET', '/$namespaceinfo?api-version=2021-05', signed('/$namespaceinfo?api-version=2021-05')),
      fetch(`http://127.0.0.1:${port}/emulator/ca.pem`).then(async (r) => ({ status: r.status, body: await r.text() })),
      fetch(`http://127.0.0.1:${port}/health`).then(async (r) => ({ status: r.status, body: await r.text() })),
      httpsCall('GET', '/lazy-c?api-version=2021-05', signed('/lazy-c?api-version=2021-05')),
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201, 200, 200, 200, 404]);
    expect(results[0]!.body).toContain('<MaxDeliveryCount>7</MaxDeliveryCount>');
    expect(results[3]!.body).toBe(ca);
    expect(results[5]!.body).toContain('<Error><Code>404</Code>');

    const listed = await httpsCall('GET', '/$Resources/queues?api-version=2021-05', signed('/$Resources/queues?api-version=2021-05'));
    expect(listed.status).toBe(200);
    expect(listed.body).toContain('lazy-a');
    expect(listed.body).toContain('lazy-b');
    expect(fastifyLoaded()).toBe(true);
    expect(p.stderr()).not.toMatch(/"level":50/);
  });

  it('closes with the app loaded', async () => {
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toContain('admin API closed');
  });
});
