import { describe, expect, it } from 'vitest';
import type { TlsMaterial } from '../../src/tls/certs.js';
import { ATOM_CT, queueBody } from './support/bodies.js';
import { makeHarness } from './support/harness.js';
import { buildNamespace, sdkEntry } from './support/sdkShape.js';

const tls: TlsMaterial = { dir: '/tmp/x', caPath: '/tmp/x/ca.pem', caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', certPem: '', keyPem: '' };

describe('GET /health', () => {
  it("503 until ready, then 200 with Microsoft's body", async () => {
    const h = await makeHarness();
    h.ready.value = false;
    const r1 = await h.app.inject({ method: 'GET', url: '/health' });
    expect(r1.statusCode).toBe(503);
    h.ready.value = true;
    const r2 = await h.app.inject({ method: 'GET', url: '/health' });
    expect(r2.statusCode).toBe(200);
    expect(r2.headers['content-type']).toMatch(/^application\/json/);
    expect(r2.json()).toEqual({ status: 'healthy', message: 'Service is healthy.' });
    expect(r2.body).toBe('{"status":"healthy","message":"Service is healthy."}');
  });

  it('answers HEAD too (Docker HEALTHCHECK tools sometimes use it)', async () => {
    const h = await makeHarness();
    expect((await h.app.inject({ method: 'HEAD', url: '/health' })).statusCode).toBe(200);
  });
});

describe('GET /emulator/ca.pem', () => {
  it('serves the CA certificate without authentication', async () => {
    const h = await makeHarness({ tls });
    const r = await h.app.inject({ method: 'GET', url: '/emulator/ca.pem' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/x-pem-file/);
    expect(r.body).toBe(tls.caPem);
  });

  it('404 when the emulator has no TLS material', async () => {
    const h = await makeHarness();
    expect((await h.app.inject({ method: 'GET', url: '/emulator/ca.pem' })).statusCode).toBe(404);
  });
});

describe('GET /$namespaceinfo', () => {
  it('returns a NamespaceInfo entry the SDK can read', async () => {
    const h = await makeHarness();
    const r = await h.request({ method: 'GET', url: '/$namespaceinfo?api-version=2021-05' });
    expect(r.statusCode).toBe(200);
    const raw = sdkEntry(r.body, ['name']);
    expect(raw.__root).toBe('NamespaceInfo');
    const ns = buildNamespace(raw);
    expect(ns).toMatchObject({ name: 'localhost', messagingSku: 'Standard', messagingUnits: undefined });
    expect(ns.createdAt.getTime()).toBe(h.clock.now());
    // Percent-encoded `$` and any case reach the same route.
    expect((await h.request({ method: 'GET', url: '/%24NamespaceInfo' })).statusCode).toBe(200);
  });

  it('reports a Premium namespace with its messaging units, as the SDK requires', async () => {
    const h = await makeHarness({ sku: 'Premium' });
    const r = await h.request({ method: 'GET', url: '/$namespaceinfo?api-version=2021-05' });
    expect(buildNamespace(sdkEntry(r.body, ['name']))).toMatchObject({ messagingSku: 'Premium', messagingUnits: 1 });
  });

  it('GET / answers the same namespace description', async () => {
    const h = await makeHarness();
    for (const url of ['/', '/?api-version=2021-05']) {
      const r = await h.request({ method: 'GET', url });
      expect(r.statusCode).toBe(200);
      const raw = sdkEntry(r.body, ['name']);
      expect(raw.__root).toBe('NamespaceInfo');
      expect(buildNamespace(raw)).toMatchObject({ name: 'localhost', messagingSku: 'Standard' });
    }
  });
});

describe('an entity named health', () => {
  it('is created, read and deleted through the admin API, while probes still get the health check', async () => {
    const h = await makeHarness();
    const created = await h.request({ method: 'PUT', url: '/health?api-version=2021-05', payload: queueBody(), headers: ATOM_CT });
    expect(created.statusCode).toBe(201);
    expect(h.broker.entityKind('health')).toBe('queue');
    const read = await h.request({ method: 'GET', url: '/health?api-version=2021-05' });
    expect(read.statusCode).toBe(200);
    expect(sdkEntry(read.body, ['name']).__root).toBe('QueueDescription');
    // A probe (no signature, no api-version) still gets the health check.
    const probe = await h.app.inject({ method: 'GET', url: '/health' });
    expect(probe.json()).toEqual({ status: 'healthy', message: 'Service is healthy.' });
    expect((await h.request({ method: 'DELETE', url: '/health?api-version=2021-05' })).statusCode).toBe(200);
    expect(h.broker.entityKind('health')).toBeUndefined();
    expect((await h.request({ method: 'GET', url: '/health?api-version=2021-05' })).statusCode).toBe(404);
  });
});
