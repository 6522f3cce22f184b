/**
 * The control API's single-message actions (what the dashboard's buttons call), checked through
 * the official JS SDK: send one message, delete one by sequence number, resubmit a dead-lettered
 * one; and the inspection additions (rules, deferred/locked counts, namespaces).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceBusClient } from '@azure/service-bus';
import { startEmulator, type Emulator } from '../../src/index.js';
import { client, uniqueName } from '../sdk/harness.js';

const BASIC = `Basic ${Buffer.from('RootManageSharedAccessKey:SAS_KEY_VALUE').toString('base64')}`;
let emu: Emulator;
let sb: ServiceBusClient;
let base: string;

async function call(method: string, path: string, json?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: BASIC };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(base + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : JSON.parse(text) };
}

beforeAll(async () => {
  emu = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', clock: 'offset' });
  base = `http://127.0.0.1:${emu.httpPort}`;
  sb = client(emu);
});
afterAll(async () => {
  await sb?.close();
  await emu?.close();
});

describe('send one message', () => {
  it('reaches an SDK receiver with its body, session, ids and properties', async () => {
    const queue = uniqueName('send');
    emu.broker.createQueue(queue, { requiresSession: true });
    const r = await call('POST', `/emulator/entities/${queue}/messages`, {
      body: '{"order":7}', contentType: 'application/json', sessionId: 's1', messageId: 'm-1', subject: 'new',
      correlationId: 'c-1', applicationProperties: { region: 'eu', priority: 5, urgent: true },
    });
    expect(r).toEqual({ status: 201, body: { sequenceNumber: 1 } });
    const receiver = await sb.acceptSession(queue, 's1');
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    // A JSON data section: the JS SDK hands back the parsed value.
    expect(m).toMatchObject({ body: { order: 7 }, messageId: 'm-1', sessionId: 's1', subject: 'new', correlationId: 'c-1', contentType: 'application/json', applicationProperties: { region: 'eu', priority: 5, urgent: true } });
    await receiver.completeMessage(m!);
    await receiver.close();
  });

  it('sends text and base64 bodies as bytes, schedules, and refuses what a client send would', async () => {
    const queue = uniqueName('send');
    emu.broker.createQueue(queue);
    await call('POST', `/emulator/entities/${queue}/messages`, { body: 'plain text' });
    await call('POST', `/emulator/entities/${queue}/messages`, { body: Buffer.from([1, 2, 255]).toString('base64'), bodyEncoding: 'base64' });
    const later = new Date(emu.clock.now().getTime() + 3_600_000).toISOString();
    expect((await call('POST', `/emulator/entities/${queue}/messages`, { body: 'later', scheduledEnqueueTime: later })).status).toBe(201);
    const receiver = sb.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });
    expect(got.map((m) => Buffer.from(m.body as Buffer).toString('hex'))).toEqual([Buffer.from('plain text').toString('hex'), '0102ff']);
    expect(emu.inspect.messages(queue, { state: 'scheduled' })).toHaveLength(1);
    await receiver.close();

    expect((await call('POST', `/emulator/entities/${queue}/messages`, { body: 5 })).status).toBe(400);
    expect((await call('POST', `/emulator/entities/${queue}/messages`, { body: 'x', applicationProperties: { a: { nested: 1 } } })).status).toBe(400);
    expect((await call('POST', `/emulator/entities/${queue}/messages`, { body: 'x', scheduledEnqueueTime: 'soon' })).status).toBe(400);
    expect((await call('POST', `/emulator/entities/nope-${queue}/messages`, { body: 'x' })).status).toBe(404);
    const sessions = uniqueName('sess');
    emu.broker.createQueue(sessions, { requiresSession: true });
    expect((await call('POST', `/emulator/entities/${sessions}/messages`, { body: 'no session' })).status).toBe(400);
  });

  it('sent to a topic, fans out to its subscriptions', async () => {
    const topic = uniqueName('topic');
    emu.broker.createTopic(topic);
    emu.broker.createSubscription(topic, 'a');
    emu.broker.createSubscription(topic, 'b');
    expect((await call('POST', `/emulator/entities/${topic}/messages`, { body: 'hi' })).status).toBe(201);
    const counts = (await call('GET', '/emulator/entities')).body.entities.filter((e: any) => e.path.startsWith(`${topic}/`));
    expect(counts.map((e: any) => e.runtime.activeMessageCount)).toEqual([1, 1]);
  });
});

describe('delete and resubmit one message', () => {
  it('deletes one active message and one dead-lettered one, by sequence number', async () => {
    const queue = uniqueName('del');
    emu.broker.createQueue(queue);
    const sender = sb.createSender(queue);
    await sender.sendMessages([{ body: 'one' }, { body: 'two' }, { body: 'three' }]);
    const receiver = sb.createReceiver(queue);
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.deadLetterMessage(first!, { deadLetterReason: 'bad', deadLetterErrorDescription: 'very bad' });

    expect(await call('DELETE', `/emulator/entities/${queue}/messages/2`)).toEqual({ status: 200, body: { deleted: true } });
    expect((await call('DELETE', `/emulator/entities/${queue}/messages/2`)).status).toBe(404);
    expect((await receiver.peekMessages(5)).map((m) => m.body)).toEqual(['three']);

    expect((await call('DELETE', `/emulator/entities/${queue}/$DeadLetterQueue/messages/1`)).status).toBe(200);
    const dlq = sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    expect(await dlq.peekMessages(5)).toHaveLength(0);
    expect(emu.journal({ entity: queue }).filter((e) => e.type === 'deleted').map((e) => e.sequenceNumber)).toEqual([2, 1]);
    await Promise.all([sender.close(), receiver.close(), dlq.close()]);
  });

  it('deleting a locked message loses the lock: the holder cannot complete it', async () => {
    const queue = uniqueName('dellock');
    emu.broker.createQueue(queue);
    await sb.createSender(queue).sendMessages({ body: 'held' });
    const receiver = sb.createReceiver(queue);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect((await call('DELETE', `/emulator/entities/${queue}/messages/${m!.sequenceNumber!.toNumber()}`)).status).toBe(200);
    await expect(receiver.completeMessage(m!)).rejects.toMatchObject({ code: 'MessageLockLost' });
    await receiver.close();
  });

  it('resubmits a dead-lettered message to its queue, without the dead-letter stamps, as a new delivery', async () => {
    const queue = uniqueName('resub');
    emu.broker.createQueue(queue);
    await sb.createSender(queue).sendMessages({ body: 'retry me', messageId: 'r-1', applicationProperties: { k: 'v' } });
    const receiver = sb.createReceiver(queue);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.deadLetterMessage(m!, { deadLetterReason: 'poison', deadLetterErrorDescription: 'could not parse' });

    expect((await call('POST', `/emulator/entities/${queue}/$DeadLetterQueue/messages/1/resubmit`)).status).toBe(400);
    expect(await call('POST', `/emulator/entities/${queue}/messages/1/resubmit`)).toEqual({ status: 200, body: { sequenceNumber: 2 } });
    expect((await call('POST', `/emulator/entities/${queue}/messages/1/resubmit`)).status).toBe(404);
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(again).toMatchObject({ body: 'retry me', messageId: 'r-1', deliveryCount: 0, applicationProperties: { k: 'v' } });
    expect(again!.deadLetterReason).toBeUndefined();
    expect(again!.sequenceNumber!.toNumber()).toBe(2);
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  it('resubmits into a session subscription only, keeping the session', async () => {
    const topic = uniqueName('resubt');
    emu.broker.createTopic(topic);
    emu.broker.createSubscription(topic, 'one', { requiresSession: true });
    emu.broker.createSubscription(topic, 'other');
    await sb.createSender(topic).sendMessages({ body: 'x', sessionId: 'S' });
    const session = await sb.acceptSession(topic, 'one', 'S');
    const [m] = await session.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await session.deadLetterMessage(m!);
    await session.close();
    const path = `${topic}/Subscriptions/one`;
    expect((await call('POST', `/emulator/entities/${path}/messages/1/resubmit`)).status).toBe(200);
    expect(emu.inspect.messages(path)).toMatchObject([{ sequenceNumber: 1, state: 'active', sessionId: 'S', deliveryCount: 0 }]);
    expect(emu.inspect.messages(`${topic}/Subscriptions/other`)).toHaveLength(1);
  });
});

describe('inspection additions', () => {
  it('reports deferred and locked counts, subscription rules and the namespaces', async () => {
    const topic = uniqueName('insp');
    emu.broker.createTopic(topic);
    emu.broker.createSubscription(topic, 'sub', {}, { name: 'eu', filter: { type: 'sql', expression: "region = 'eu'" } });
    await sb.createSender(topic).sendMessages([{ body: 'a', applicationProperties: { region: 'eu' } }, { body: 'b', applicationProperties: { region: 'eu' } }]);
    const path = `${topic}/Subscriptions/sub`;
    const receiver = sb.createReceiver(topic, 'sub');
    const [first, second] = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });
    await receiver.deferMessage(first!);
    const all = await call('GET', '/emulator/entities');
    expect(all.body.namespaces).toEqual([{ name: 'sbemulatorns', sku: 'Standard' }]);
    expect(all.body.entities.find((e: any) => e.path === path).runtime).toMatchObject({ activeMessageCount: 2, deferredMessageCount: 1, lockedMessageCount: 1 });
    expect((await call('GET', `/emulator/entities/${path}/rules`)).body.rules).toMatchObject([{ name: 'eu', filter: { type: 'sql', expression: "region = 'eu'" }, action: { type: 'empty' } }]);
    expect((await call('GET', `/emulator/entities/${topic}/rules`)).status).toBe(400);
    await receiver.completeMessage(second!);
    await receiver.close();
  });
});
