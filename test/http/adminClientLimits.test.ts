/**
 * What the real ServiceBusAdministrationClient (@azure/service-bus 7.9.5) observes of Azure's
 * ranges, the namespace SKU, partitioned sizes and the not-found wording (issue 11 items 13, 14,
 * 15, 20), on a Standard and a Premium namespace. Same set-up as adminClient.test.ts: the SDK
 * runs in a child process that trusts the emulator's CA through NODE_EXTRA_CA_CERTS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAuthConfig } from '../../src/auth/types.js';
import { Broker } from '../../src/broker/index.js';
import type { NamespaceSku } from '../../src/broker/types.js';
import { startAdminServer, type AdminServer } from '../../src/http/server.js';
import { ensureTlsMaterial, type TlsMaterial } from '../../src/tls/certs.js';
import { AdminClientProcess, sdkError } from './support/adminClient.js';

let dir: string;
let tls: TlsMaterial;
let sdk: AdminClientProcess;
const servers: AdminServer[] = [];
const admins = {} as Record<NamespaceSku, { port: number; client: ReturnType<AdminClientProcess['client']> }>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sbemu-sdk-limits-'));
  tls = await ensureTlsMaterial(path.join(dir, 'tls'));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: tls.caPath };
  delete env.NODE_TLS_REJECT_UNAUTHORIZED;
  sdk = new AdminClientProcess(env);
  for (const sku of ['Standard', 'Premium'] as const) {
    const server = await startAdminServer({
      broker: new Broker({ clock: { now: () => Date.now() }, sku }),
      host: '127.0.0.1',
      port: 0,
      tls,
      auth: defaultAuthConfig(),
      logger: pino({ level: 'silent' }),
      isReady: () => true,
    });
    servers.push(server);
    const cs = `Endpoint=sb://localhost:${server.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`;
    admins[sku] = { port: server.port, client: sdk.client(cs) };
  }
});

afterAll(async () => {
  await sdk?.close();
  for (const s of servers) await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Azure's ranges, as the SDK sees them", () => {
  it.each([
    ['lockDuration', 'PT5M1S', /lock time exceeds the allowed maximum of '5' minutes/],
    ['duplicateDetectionHistoryTimeWindow', 'PT19S', /DuplicateDetectionHistoryTimeWindow/],
    ['autoDeleteOnIdle', 'PT4M', /AutoDeleteOnIdle/],
    ['maxDeliveryCount', 0, /MaxDeliveryCount/],
    ['userMetadata', 'u'.repeat(1025), /UserMetadata/],
  ])('createQueue with %s out of range: 400 with Azure’s detail', async (option, value, detail) => {
    const e = await sdkError(admins.Standard.client.call('createQueue', `range-${option.toLowerCase()}`, { [option]: value }));
    expect(e.statusCode).toBe(400);
    expect(e.message).toMatch(detail);
  });

  it('updateQueue out of range: 400, and the queue is unchanged', async () => {
    const { client } = admins.Standard;
    const q = await client.call('createQueue', 'range-update', { lockDuration: 'PT5M' });
    expect(q.lockDuration).toBe('PT5M');
    const e = await sdkError(client.call('updateQueue', { ...q, lockDuration: 'PT10M' }));
    expect(e.statusCode).toBe(400);
    expect((await client.call('getQueue', 'range-update')).lockDuration).toBe('PT5M');
  });

  it('a name over 260 characters: 400', async () => {
    expect((await sdkError(admins.Standard.client.call('createQueue', 'n'.repeat(261)))).statusCode).toBe(400);
  });
});

describe('namespace SKU', () => {
  it('getNamespaceProperties reports it', async () => {
    expect(await admins.Standard.client.call('getNamespaceProperties')).toMatchObject({ messagingSku: 'Standard' });
    expect(await admins.Premium.client.call('getNamespaceProperties')).toMatchObject({ messagingSku: 'Premium', messagingUnits: 1 });
  });

  it('Standard refuses maxMessageSizeInKilobytes; a get-then-update round trip still works', async () => {
    const { client } = admins.Standard;
    const e = await sdkError(client.call('createQueue', 'std-size', { maxMessageSizeInKilobytes: 1024 }));
    expect(e.statusCode).toBe(400);
    expect(e.message).toMatch(/'MaxMessageSizeInKilobytes'.*'Premium' tier/);
    const q = await client.call('createQueue', 'std-size');
    expect(q.maxMessageSizeInKilobytes).toBe(256);
    expect(await client.call('updateQueue', { ...q, maxDeliveryCount: 4 })).toMatchObject({ maxDeliveryCount: 4, maxMessageSizeInKilobytes: 256 });
  });

  it('Premium takes 1,024 to 102,400 KB on create and update', async () => {
    const { client } = admins.Premium;
    expect(await client.call('createQueue', 'prem-size', { maxMessageSizeInKilobytes: 102_400 })).toMatchObject({ maxMessageSizeInKilobytes: 102_400 });
    expect(await client.call('createTopic', 'prem-topic')).toMatchObject({ maxMessageSizeInKilobytes: 1024 });
    const e = await sdkError(client.call('createQueue', 'prem-small', { maxMessageSizeInKilobytes: 512 }));
    expect(e.message).toMatch(/between 1024 and 102400/);
    const q = await client.call('getQueue', 'prem-size');
    expect(await client.call('updateQueue', { ...q, maxMessageSizeInKilobytes: 2048 })).toMatchObject({ maxMessageSizeInKilobytes: 2048 });
  });
});

describe('partitioned entities and not-found wording', () => {
  it('report 16 times the requested MaxSizeInMegabytes', async () => {
    const { client } = admins.Standard;
    expect(await client.call('createQueue', 'part-q', { enablePartitioning: true, maxSizeInMegabytes: 1024 })).toMatchObject({ maxSizeInMegabytes: 16_384 });
    expect(await client.call('createTopic', 'part-t', { enablePartitioning: true, maxSizeInMegabytes: 2048 })).toMatchObject({ maxSizeInMegabytes: 32_768 });
    const q = await client.call('getQueue', 'part-q');
    expect(await client.call('updateQueue', { ...q, maxDeliveryCount: 3 })).toMatchObject({ maxSizeInMegabytes: 16_384 });
  });

  it('a missing entity is named sb://host/path', async () => {
    const { client, port } = admins.Standard;
    const e = await sdkError(client.call('getQueue', 'no-such-queue'));
    expect(e).toMatchObject({ code: 'MessageEntityNotFoundError', statusCode: 404 });
    expect(e.message).toContain(`The messaging entity 'sb://localhost:${port}/no-such-queue' could not be found.`);
  });
});
