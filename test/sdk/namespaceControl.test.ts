/**
 * Each namespace has a control plane of its own: the key that signs a /emulator request chooses
 * the namespace, as on the admin API, so a test file's journal, faults, reset and clock jumps act
 * on its namespace alone. Config.json's further namespaces are namespaces of that kind too.
 * Driven with the official JS SDK over AMQP and with fetch over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceBusClient } from '@azure/service-bus';
import { startEmulator, type Emulator } from '../../src/index.js';
import type { NamespaceInfo } from '../../src/control/index.js';
import { generateSasToken } from '../../src/auth/sas.js';
import { ATOM_CT, queueBody } from '../http/support/bodies.js';

let emulator: Emulator;
const opts = { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } };
const ROOT = { keyName: 'RootManageSharedAccessKey', key: 'SAS_KEY_VALUE' };

beforeAll(async () => {
  emulator = await startEmulator({
    host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', clock: 'offset',
    config: {
      UserConfig: {
        Namespaces: [
          { Name: 'sbemulatorns', Queues: [{ Name: 'q' }] },
          { Name: 'second', Queues: [{ Name: 'q', Properties: { MaxDeliveryCount: 3 } }, { Name: 'only-second' }], Topics: [{ Name: 't', Subscriptions: [{ Name: 's' }] }] },
        ],
        Logging: { Type: 'Console' },
      },
    } as never,
  });
});
afterAll(() => emulator?.close());

async function call(who: { keyName: string; key: string }, method: string, path: string, json?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${who.keyName}:${who.key}`).toString('base64')}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`http://127.0.0.1:${emulator.httpPort}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** Creates a queue over the ATOM admin API, signed with the namespace's own key. */
async function createQueue(ns: NamespaceInfo, name: string): Promise<void> {
  const token = generateSasToken(`http://127.0.0.1:${emulator.httpPort}/${name}`, ns.keyName, ns.key, Date.now() / 1000 + 300);
  const r = await fetch(`http://127.0.0.1:${emulator.httpPort}/${name}?api-version=2021-05`, {
    method: 'PUT',
    headers: { authorization: token, ...ATOM_CT },
    body: queueBody(),
  });
  expect(r.status).toBe(201);
}

const enqueued = (body: { events: { type: string }[] }) => body.events.filter((e) => e.type === 'enqueued');
const active = (body: { entities: { path: string; runtime: Record<string, number> }[] }, path: string) =>
  body.entities.find((e) => e.path === path)?.runtime.activeMessageCount;

describe('a control plane per namespace', () => {
  it("journal, inspection, faults and reset of one namespace never touch another's", async () => {
    const a = emulator.createNamespace();
    const b = emulator.createNamespace();
    for (const ns of [a, b]) await createQueue(ns, 'q');
    const ca = new ServiceBusClient(a.connectionString, opts);
    const cb = new ServiceBusClient(b.connectionString, opts);
    await ca.createSender('q').sendMessages({ body: 'a1' });
    await cb.createSender('q').sendMessages([{ body: 'b1' }, { body: 'b2' }]);

    expect(active((await call(a, 'GET', '/emulator/entities')).body, 'q')).toBe(1);
    expect(active((await call(b, 'GET', '/emulator/entities')).body, 'q')).toBe(2);
    expect(enqueued((await call(a, 'GET', '/emulator/journal?entity=q')).body)).toHaveLength(1);
    expect(enqueued((await call(b, 'GET', '/emulator/journal?entity=q')).body)).toHaveLength(2);
    expect(emulator.namespace(b.name).inspect.messages('q').map((m) => JSON.parse(m.body))).toEqual(['b1', 'b2']);

    // A fault armed with a's key fails a's next send and leaves b's alone.
    expect((await call(a, 'POST', '/emulator/faults', { entity: 'q', operation: 'send', error: 'server-busy' })).status).toBe(201);
    expect((await call(b, 'GET', '/emulator/faults')).body.faults).toEqual([]);
    expect(emulator.faults.list()).toEqual([]);
    await cb.createSender('q').sendMessages({ body: 'b3' });
    await expect(ca.createSender('q').sendMessages({ body: 'a2' })).rejects.toMatchObject({ code: 'ServiceBusy' });
    expect((await call(a, 'GET', '/emulator/faults')).body.faults).toEqual([]);
    // So does a delay: b's sends do not use it up, a's next send does.
    expect((await call(a, 'POST', '/emulator/faults', { kind: 'delay', entity: 'q', operation: 'send', delay: 'PT0.1S' })).status).toBe(201);
    await cb.createSender('q').sendMessages({ body: 'b4' });
    expect((await call(a, 'GET', '/emulator/faults')).body.faults).toMatchObject([{ operation: 'send', hits: 0 }]);
    await ca.createSender('q').sendMessages({ body: 'a3' });
    expect((await call(a, 'GET', '/emulator/faults')).body.faults).toEqual([]);

    // A dropped-connection fault of a closes a's connections only: b's receiver carries on.
    const receiverB = cb.createReceiver('q');
    expect(await receiverB.peekMessages(10)).toHaveLength(4);
    expect(await ca.createReceiver('q').peekMessages(10)).toHaveLength(2);
    expect((await call(a, 'POST', '/emulator/faults', { kind: 'dropConnections' })).body.connections).toBe(1);
    const [first] = await receiverB.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(first?.body).toBe('b1');
    await receiverB.completeMessage(first!);

    // Reset with a's key: a's run-time queue is gone; b keeps its messages; both namespaces stay.
    const reset = await call(a, 'POST', '/emulator/reset');
    expect(reset.body.removed).toEqual(['q']);
    expect(emulator.namespace(a.name).journal()).toEqual([]);
    expect(emulator.namespace(b.name).inspect.messages('q')).toHaveLength(3);
    const names = (await call(ROOT, 'GET', '/emulator/namespaces')).body.namespaces.map((n: NamespaceInfo) => n.name);
    expect(names).toEqual(expect.arrayContaining([a.name, b.name]));
    await Promise.all([ca.close(), cb.close()]);
    emulator.deleteNamespace(a.name);
    emulator.deleteNamespace(b.name);
  });

  it("a namespace's clock jump moves it alone; the emulator's moves every namespace", async () => {
    const a = emulator.createNamespace();
    const b = emulator.createNamespace();
    const clients = [a, b].map((ns) => new ServiceBusClient(ns.connectionString, opts));
    for (const [i, ns] of [a, b].entries()) {
      await createQueue(ns, 'ttl');
      await clients[i]!.createSender('ttl').sendMessages({ body: 'an hour to live', timeToLive: 3600_000 });
    }
    const before = emulator.clock.offsetMs;
    const jumped = await call(a, 'POST', '/emulator/clock/advance', { duration: 'PT2H' });
    expect(jumped.body.offsetMs).toBe(before + 2 * 3600_000);
    expect((await call(b, 'GET', '/emulator/clock')).body.offsetMs).toBe(before);
    expect((await call(ROOT, 'GET', '/emulator/clock')).body.offsetMs).toBe(before);
    expect(await clients[0]!.createReceiver('ttl').peekMessages(1)).toHaveLength(0);
    expect(await clients[1]!.createReceiver('ttl').peekMessages(1)).toHaveLength(1);

    emulator.clock.advance('PT1M');
    expect(emulator.namespace(a.name).clock.offsetMs).toBe(before + 2 * 3600_000 + 60_000);
    expect(emulator.namespace(b.name).clock.offsetMs).toBe(before + 60_000);
    emulator.clock.advance('PT1H');
    expect(await clients[1]!.createReceiver('ttl').peekMessages(1)).toHaveLength(0);
    await Promise.all(clients.map((c) => c.close()));
    emulator.deleteNamespace(a.name);
    emulator.deleteNamespace(b.name);
  });
});

describe("Config.json's further namespaces", () => {
  const second = { keyName: 'ns-second', key: 'SAS_KEY_VALUE' };

  it('are namespaces of their own, reached by ns-<name> and the emulator key', async () => {
    const listed = (await call(ROOT, 'GET', '/emulator/namespaces')).body.namespaces as NamespaceInfo[];
    const info = listed.find((n) => n.name === 'second');
    expect(info).toMatchObject({ keyName: 'ns-second', key: 'SAS_KEY_VALUE', configured: true });
    expect(info!.connectionString).toContain('SharedAccessKeyName=ns-second;');
    expect(emulator.broker.entityKind('only-second')).toBeUndefined();
    expect(emulator.broker.getQueue('q').properties.maxDeliveryCount).toBe(10);

    const client = new ServiceBusClient(info!.connectionString, opts);
    await client.createSender('only-second').sendMessages({ body: 'hello' });
    await client.createSender('t').sendMessages({ body: 'to the topic' });
    const [m] = await client.createReceiver('t', 's').receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(m?.body).toBe('to the topic');
    const entities = (await call(second, 'GET', '/emulator/entities')).body.entities.map((e: { path: string }) => e.path);
    expect(entities.sort()).toEqual(['only-second', 'q', 't', 't/Subscriptions/s']);
    const q = (await call(second, 'GET', '/emulator/entities')).body.entities.find((e: { path: string }) => e.path === 'q');
    expect(q.properties.maxDeliveryCount).toBe(3);

    expect((await call(ROOT, 'DELETE', '/emulator/namespaces/second')).status).toBe(409);
    // Root reset restores the configured namespace: its message goes, its entities stay.
    expect(emulator.namespace('second').inspect.messages('only-second')).toHaveLength(1);
    await call(ROOT, 'POST', '/emulator/reset');
    expect(emulator.namespace('second').inspect.messages('only-second')).toHaveLength(0);
    expect((await call(ROOT, 'GET', '/emulator/namespaces')).body.namespaces.map((n: NamespaceInfo) => n.name)).toEqual(['second']);
    await client.close();
  });

  it('refuses a configured namespace name that cannot be a key name', async () => {
    await expect(
      startEmulator({
        host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent',
        config: { UserConfig: { Namespaces: [{ Name: 'one', Queues: [] }, { Name: 'two_', Queues: [] }], Logging: { Type: 'Console' } } } as never,
      }),
    ).rejects.toThrow(/Namespaces\[1\]\.Name/);
  });
});
