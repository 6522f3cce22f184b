/**
 * The admin app loaded on first use (src/http/lazyApp.ts): what happens when loading fails, and
 * closing before, during and after a load. The process-level view (fastify not loaded until a
 * request needs it, concurrent first requests) is test/cli/lazyAdmin.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAuthConfig } from '../../src/auth/types.js';
import { FakeClock } from '../../src/broker/clock.js';
import { lazyAdminApp, type LazyAdminApp } from '../../src/http/lazyApp.js';
import { makeBroker } from './support/harness.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function makeApp(logger: Logger): LazyAdminApp {
  return lazyAdminApp({ broker: makeBroker(new FakeClock(Date.now())), auth: defaultAuthConfig(), logger, isReady: () => true });
}

async function serve(app: LazyAdminApp): Promise<number> {
  const server = http.createServer((req, res) => app.handle(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('lazyAdminApp', () => {
  it('a load that fails answers 500 with the Service Bus error body, logs it, and the next request tries again', async () => {
    const errors: string[] = [];
    // A logger fastify refuses (it lacks the methods fastify needs), so building the app throws.
    const refused = { error: (obj: { err?: Error }, msg: string) => errors.push(`${msg}: ${obj.err?.message}`) } as unknown as Logger;
    const app = makeApp(refused);
    const port = await serve(app);

    const [first, second] = await Promise.all([fetch(`http://127.0.0.1:${port}/$namespaceinfo`), fetch(`http://127.0.0.1:${port}/emulator/ca.pem`)]);
    for (const res of [first, second]) {
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      expect(await res.text()).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><Error><Code>500<\/Code><Detail>The admin API could not be loaded; see the emulator log\. TrackingId:/);
    }
    // A log line per failed load (the two requests may or may not have shared one), none per request.
    const attempts = errors.length;
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(2);
    for (const e of errors) expect(e).toMatch(/^the admin API failed to load: .*logger/i);

    expect((await fetch(`http://127.0.0.1:${port}/$namespaceinfo`)).status).toBe(500);
    expect(errors).toHaveLength(attempts + 1);
    expect(app.loaded()).toBe(false);
    await app.close();
  });

  it('close() before any request loads nothing, and later requests get 503', async () => {
    const app = makeApp(pino({ level: 'silent' }));
    const port = await serve(app);
    await app.close();
    expect(app.loaded()).toBe(false);
    const res = await fetch(`http://127.0.0.1:${port}/$namespaceinfo`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('<Error><Code>503</Code>');
    expect(app.loaded()).toBe(false);
  });

  it('close() during a load waits for it and closes the app it loaded', async () => {
    const app = makeApp(pino({ level: 'silent' }));
    const port = await serve(app);
    const pending = fetch(`http://127.0.0.1:${port}/emulator/ca.pem`).then((r) => r.status);
    // The request has reached the app (and started the load) once the server sees a connection.
    await new Promise<void>((resolve) => servers[0]!.once('request', () => resolve()));
    await app.close();
    expect(app.loaded()).toBe(true);
    // The request that waited was routed before the app closed: the app's own answer (no TLS
    // material here, so no CA to serve).
    expect(await pending).toBe(404);
    const after = await fetch(`http://127.0.0.1:${port}/emulator/ca.pem`);
    expect(after.status).toBe(503);
  });

  it('once loaded, serves every request through the app', async () => {
    const app = makeApp(pino({ level: 'silent' }));
    const port = await serve(app);
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy', message: 'Service is healthy.' });
    expect(app.loaded()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/emulator/ca.pem`)).status).toBe(404);
    await app.close();
  });
});
