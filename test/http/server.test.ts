import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAuthConfig } from '../../src/auth/types.js';
import { FakeClock } from '../../src/broker/clock.js';
import { startAdminServer, type AdminServer } from '../../src/http/server.js';
import { ensureTlsMaterial, type TlsMaterial } from '../../src/tls/certs.js';
import { queueBody } from './support/bodies.js';
import { makeBroker, sdkToken } from './support/harness.js';

let dir: string;
let tls: TlsMaterial;
let server: AdminServer;
let ready = true;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sbemu-admin-'));
  tls = await ensureTlsMaterial(dir);
  server = await startAdminServer({
    broker: makeBroker(new FakeClock(Date.now())),
    host: '127.0.0.1',
    port: 0,
    tls,
    auth: defaultAuthConfig(),
    logger: pino({ level: 'silent' }),
    isReady: () => ready,
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function call(
  scheme: 'http' | 'https',
  method: string,
  urlPath: string,
  opts: { body?: string; agent?: http.Agent; ca?: string | null; sign?: boolean } = {},
): Promise<Res> {
  const url = `${scheme}://localhost:${server.port}${urlPath}`;
  const headers: Record<string, string> = {};
  if (opts.sign) headers.authorization = sdkToken(url, Date.now());
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/atom+xml;type=entry;charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(opts.body));
  }
  return new Promise((resolve, reject) => {
    const common = { method, host: '127.0.0.1', port: server.port, path: urlPath, headers: { ...headers, host: `localhost:${server.port}` }, agent: opts.agent };
    const req =
      scheme === 'https'
        ? https.request({ ...common, servername: 'localhost', ...(opts.ca === null ? {} : { ca: opts.ca ?? tls.caPem }) })
        : http.request(common);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('one port, HTTP and HTTPS', () => {
  it('listens on a free port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves plain HTTP', async () => {
    const r = await call('http', 'GET', '/health');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'healthy', message: 'Service is healthy.' });
  });

  it('serves HTTPS with the generated certificate, trusted through the CA', async () => {
    const r = await call('https', 'GET', '/health');
    expect(r.status).toBe(200);
    await expect(call('https', 'GET', '/health', { ca: null })).rejects.toThrow(/self.signed|unable to (get|verify)/i);
  });

  it('ids use the scheme of the connection', async () => {
    const s = await call('https', 'PUT', '/tls-queue?api-version=2021-05', { body: queueBody(), sign: true });
    expect(s.status).toBe(201);
    expect(s.body).toContain(`<id>https://localhost:${server.port}/tls-queue?api-version=2021-05</id>`);
    const p = await call('http', 'GET', '/tls-queue?api-version=2021-05', { sign: true });
    expect(p.status).toBe(200);
    expect(p.body).toContain(`<id>http://localhost:${server.port}/tls-queue?api-version=2021-05</id>`);
  });

  it('keeps connections alive across requests, on both protocols', async () => {
    for (const scheme of ['http', 'https'] as const) {
      const agent = scheme === 'https' ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
      const sockets = new Set<unknown>();
      agent.on('free', (s) => sockets.add(s));
      for (let i = 0; i < 5; i++) {
        const r = await call(scheme, 'GET', '/$Resources/Queues?api-version=2021-05', { agent, sign: true });
        expect(r.status).toBe(200);
      }
      expect(sockets.size).toBe(1);
      agent.destroy();
    }
  });

  it('reads large bodies that arrive in many chunks, and refuses huge ones with 413', async () => {
    // Padding in an XML comment: UserMetadata itself is limited to 1,024 characters.
    const padded = (n: number) => queueBody().replace('<QueueDescription', `<!-- ${'m'.repeat(n)} --><QueueDescription`);
    for (const scheme of ['http', 'https'] as const) {
      const ok = await call(scheme, 'PUT', `/big-${scheme}`, { body: padded(200 * 1024), sign: true });
      expect(ok.status).toBe(201);
      const tooBig = await call(scheme, 'PUT', `/huge-${scheme}`, { body: padded(400 * 1024), sign: true });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body).toContain('<Code>413</Code>');
    }
  });

  it('handles many concurrent connections of both kinds', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 ? 'https' : 'http', 'GET', '/health')));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });

  it('answers 503 on /health until ready', async () => {
    ready = false;
    try {
      expect((await call('http', 'GET', '/health')).status).toBe(503);
    } finally {
      ready = true;
    }
  });

  it('survives garbage, a bare TLS record byte and connections that send nothing', async () => {
    const raw = (bytes: Buffer) =>
      new Promise<string>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => s.end(bytes));
        let out = '';
        s.on('data', (d) => (out += d.toString('latin1')));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
    expect(await raw(Buffer.from('NOT HTTP AT ALL\r\n\r\n'))).toMatch(/^HTTP\/1\.1 400/);
    await raw(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]));
    const idle = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => idle.once('connect', r));
    expect((await call('http', 'GET', '/health')).status).toBe(200);
    idle.destroy();
  });

  it("what Node's HTTP parser refuses still gets a Service Bus error body (oversized headers and URLs, unknown methods)", async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => s.write(text));
        let out = '';
        s.on('data', (d) => (out += d.toString('latin1')));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
    const cases: Array<[string, number]> = [
      [`GET /q1 HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'h'.repeat(64 * 1024)}\r\n\r\n`, 431],
      [`GET /q1?x=${'u'.repeat(64 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 431],
      ['FROB /q1 HTTP/1.1\r\nHost: localhost\r\n\r\n', 400],
      ['NOT HTTP AT ALL\r\n\r\n', 400],
    ];
    for (const [request, status] of cases) {
      const response = await raw(request);
      expect(response).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(response).toMatch(/Content-Type: application\/xml; charset=utf-8/);
      const body = response.slice(response.indexOf('\r\n\r\n') + 4);
      expect(body).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="utf-8"\\?><Error><Code>${status}</Code><Detail>.+</Detail></Error>$`));
    }
  });

  it('close() stops listening and drops open connections, even idle ones', async () => {
    const other = await startAdminServer({
      broker: makeBroker(new FakeClock()),
      host: '127.0.0.1',
      port: 0,
      tls,
      auth: defaultAuthConfig(),
      logger: pino({ level: 'silent' }),
      isReady: () => true,
    });
    const idle = net.connect(other.port, '127.0.0.1');
    await new Promise((r) => idle.once('connect', r));
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: other.port, path: '/health', agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );
    const idleClosed = new Promise((r) => idle.once('close', r));
    await other.close();
    await idleClosed;
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect(other.port, '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
    // Idempotent.
    await other.close();
  });
});
