/**
 * Per-test namespaces with the official JS SDK: two namespaces on one emulator, each with a queue of
 * the same name, never see each other's messages or entities; a key reaches only its namespace.
 */
import { describe, expect, it } from 'vitest';
import { ServiceBusClient } from '@azure/service-bus';
import { startEmulator, type Emulator } from '../../src/index.js';
import { type AdminClientProcess, sdkError } from '../http/support/adminClient.js';
import { withAdminClientEmulator } from './adminHarness.js';

let emulator: Emulator;
let dir: string;
let sdk: AdminClientProcess;
const opts = { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } };

withAdminClientEmulator('sbemu-namespaces-', {}, (parts) => ({ emulator, sdk, dir } = parts));

const adminOf = (cs: string) => sdk.client(cs);

const http = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${emulator.httpPort}${path}`, {
    ...init,
    headers: { authorization: `Basic ${Buffer.from('RootManageSharedAccessKey:SAS_KEY_VALUE').toString('base64')}`, 'content-type': 'application/json', ...init.headers },
  });

describe('namespaces per test', () => {
  it('two namespaces each with a queue named "orders" keep their messages and entities apart', async () => {
    const a = emulator.createNamespace();
    const created = await http('/emulator/namespaces', { method: 'POST', body: JSON.stringify({ name: 'file-b' }) });
    expect(created.status).toBe(201);
    const b = (await created.json()) as typeof a;
    expect(b).toMatchObject({ name: 'file-b', keyName: 'ns-file-b', key: expect.any(String) });
    expect(b.connectionString).toContain('SharedAccessKeyName=ns-file-b;');
    expect(b.adminConnectionString).toContain(`:${emulator.httpPort};`);
    const again = await http('/emulator/namespaces', { method: 'POST', body: JSON.stringify({ name: 'FILE-B' }) });
    expect(again.status).toBe(409);
    expect((await http('/emulator/namespaces', { method: 'POST', body: JSON.stringify({ name: 'no spaces' }) })).status).toBe(400);

    for (const ns of [a, b]) await adminOf(ns.adminConnectionString).call('createQueue', 'orders');
    await adminOf(a.adminConnectionString).call('createQueue', 'only-in-a');
    expect(emulator.broker.entityKind('orders')).toBeUndefined();

    const sa = new ServiceBusClient(a.connectionString, opts);
    const sbb = new ServiceBusClient(b.connectionString, opts);
    await sa.createSender('orders').sendMessages({ body: 'for a' });
    await sbb.createSender('orders').sendMessages({ body: 'for b' });
    const [ma] = await sa.createReceiver('orders').receiveMessages(5, { maxWaitTimeInMs: 1000 });
    const gotB = await sbb.createReceiver('orders').receiveMessages(5, { maxWaitTimeInMs: 1000 });
    expect(ma?.body).toBe('for a');
    expect(gotB.map((m) => m.body)).toEqual(['for b']);

    const names = async (cs: string) => {
      const all = (await adminOf(cs).all('listQueues')) as { name: string }[];
      return all.map((q) => q.name).sort();
    };
    expect(await names(a.adminConnectionString)).toEqual(['only-in-a', 'orders']);
    expect(await names(b.adminConnectionString)).toEqual(['orders']);
    expect(await names(emulator.adminConnectionString)).not.toContain('orders');
    // Each namespace keeps its own journal: nothing of a or b shows in the default one's.
    expect(emulator.journal({ entity: 'orders' })).toEqual([]);
    const journalA = emulator.namespace(a.name).journal({ entity: 'orders' });
    expect(journalA.filter((e) => e.type === 'enqueued')).toHaveLength(1);

    const listed = (await (await http('/emulator/namespaces')).json()) as { namespaces: { name: string }[] };
    expect(listed.namespaces.map((n) => n.name).sort()).toEqual([a.name, 'file-b'].sort());
    await Promise.all([sa.close(), sbb.close()]);
    emulator.deleteNamespace(a.name);
    expect((await http('/emulator/namespaces/file-b', { method: 'DELETE' })).status).toBe(204);
    expect((await http('/emulator/namespaces/file-b', { method: 'DELETE' })).status).toBe(404);
  });

  it("refuses another namespace's key and a wrong key; a namespace key cannot manage namespaces", async () => {
    const a = emulator.createNamespace();
    const b = emulator.createNamespace();
    await adminOf(a.adminConnectionString).call('createQueue', 'private');
    const wrongKey = a.connectionString.replace(a.key, b.key);
    const intruder = new ServiceBusClient(wrongKey, opts);
    await expect(intruder.createSender('private').sendMessages({ body: 'x' })).rejects.toMatchObject({ code: 'UnauthorizedAccess' });
    await intruder.close();
    expect(await sdkError(adminOf(a.adminConnectionString.replace(a.key, b.key)).call('getQueue', 'private'))).toMatchObject({ statusCode: 401 });
    // b's own key reaches b, where no 'private' queue exists.
    const other = new ServiceBusClient(b.connectionString, opts);
    await expect(other.createSender('private').sendMessages({ body: 'x' })).rejects.toMatchObject({ code: 'MessagingEntityNotFound' });
    await other.close();
    const basic = Buffer.from(`${a.keyName}:${a.key}`).toString('base64');
    const own = await http('/emulator/entities', { headers: { authorization: `Basic ${basic}` } });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { entities: { path: string }[] }).entities.map((e) => e.path)).toEqual(['private']);
    expect((await http('/emulator/namespaces', { headers: { authorization: `Basic ${basic}` } })).status).toBe(401);
    const removeOther = await http(`/emulator/namespaces/${b.name}`, { method: 'DELETE', headers: { authorization: `Basic ${basic}` } });
    expect(removeOther.status).toBe(401);
    emulator.deleteNamespace(a.name);
    emulator.deleteNamespace(b.name);
  });

  it("deleting a namespace closes its connections and leaves the others' open", async () => {
    const a = emulator.createNamespace();
    const b = emulator.createNamespace();
    for (const ns of [a, b]) await adminOf(ns.adminConnectionString).call('createQueue', 'q');
    const sa = new ServiceBusClient(a.connectionString, opts);
    const sbb = new ServiceBusClient(b.connectionString, opts);
    const receiverA = sa.createReceiver('q');
    const errors: unknown[] = [];
    receiverA.subscribe({ processMessage: async () => {}, processError: async (e) => void errors.push(e.error) });
    await sbb.createSender('q').sendMessages({ body: 'still here' });
    await new Promise((r) => setTimeout(r, 300));

    emulator.deleteNamespace(a.name);

    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    const [m] = await sbb.createReceiver('q').receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(m?.body).toBe('still here');
    // The deleted namespace's key reaches nothing any more.
    expect(await sdkError(adminOf(a.adminConnectionString).call('getQueue', 'q'))).toMatchObject({ statusCode: 401 });
    await Promise.all([receiverA.close(), sa.close(), sbb.close()]);
    emulator.deleteNamespace(b.name);
  });

  it('reset removes namespaces made at run time', async () => {
    const a = emulator.createNamespace();
    await adminOf(a.adminConnectionString).call('createQueue', 'q');
    expect(emulator.reset().removed).toBeDefined();
    expect((await (await http('/emulator/namespaces')).json()) as unknown).toEqual({ namespaces: [] });
    expect(() => emulator.deleteNamespace(a.name)).toThrow(/No namespace/);
  });
});

describe('namespaces and time travel', () => {
  it('an advance of the shared clock expires messages in a namespace too', async () => {
    const timed = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', tlsDir: dir, clock: 'offset' });
    try {
      const ns = timed.createNamespace('timed');
      const client = new ServiceBusClient(ns.connectionString, opts);
      await sdk.client(ns.adminConnectionString).call('createQueue', 'ttl', { deadLetteringOnMessageExpiration: true });
      await client.createSender('ttl').sendMessages({ body: 'old', timeToLive: 60 * 60 * 1000 });
      const receiver = client.createReceiver('ttl');
      expect(await receiver.peekMessages(1)).toHaveLength(1);
      timed.clock.advance('PT1H');
      expect(await receiver.peekMessages(1)).toHaveLength(0);
      const [dead] = await client.createReceiver('ttl', { subQueueType: 'deadLetter' }).receiveMessages(1, { maxWaitTimeInMs: 3000 });
      expect(dead?.deadLetterReason).toBe('TTLExpiredException');
      await client.close();
    } finally {
      await timed.close();
    }
  });
});
