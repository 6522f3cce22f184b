/**
 * Receive and settle faults on links that are already open, at the frame level. SDK receivers
 * attach once and then ask for messages with flows, so a receive fault armed after the attach must
 * answer the next flow (or the next messages for credit the client holds) as Azure answers a
 * failing receive: the link is detached with the error's condition. Nothing may be lost on the way:
 * the failed take locks nothing, and what the link delivered before keeps its lock until it expires.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';
import { uniqueName } from '../sdk/harness.js';
import { Raw, accepted } from './engineClient.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', clock: 'offset' });
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(() => emulator.faults.clear());

async function receiverOn(path: string, handle = 1, name = `r${handle}`, source: Record<string, unknown> = {}): Promise<Raw> {
  const raw = await Raw.authorized(emulator.amqpPort);
  raw.attach(handle, name, 'receiver', { source: { address: path, ...source }, target: { address: 'me' } });
  await raw.handleOf(name);
  return raw;
}

const transfersOn = (raw: Raw, name: string) => raw.on(name, 'transfer');
/** Waits until link `name` has had `n` deliveries; returns them. */
async function delivered(raw: Raw, name: string, n: number) {
  const h = await raw.handleOf(name);
  return raw.c.waitFor(() => {
    const t = raw.frames('transfer').filter((f) => f.performative.handle === h);
    return t.length >= n ? t : undefined;
  });
}
async function detachOf(raw: Raw, name: string) {
  const h = await raw.handleOf(name);
  return raw.c.waitFor(() => raw.frames('detach').find((f) => f.performative.handle === h));
}
const states = (path: string) => emulator.inspect.messages(path).map((m) => [m.sequenceNumber, m.state, m.deliveryCount]);

describe('a receive fault on an open receiver link', () => {
  it('answers the next flow with a detach carrying the condition; the held lock and the unsent message stay as they were', async () => {
    const queue = uniqueName('rf');
    emulator.broker.createQueue(queue, { lockDurationMs: 30_000 });
    emulator.send(queue, { body: 'one' });
    emulator.send(queue, { body: 'two' });
    const raw = await receiverOn(queue);
    raw.flow(1, 0, 1);
    await delivered(raw, 'r1', 1);
    expect(states(queue)).toEqual([[1, 'locked', 0], [2, 'active', 0]]);

    const armed = emulator.faults.inject({ entity: queue, operation: 'receive', error: 'server-busy' });
    raw.flow(1, 1, 1);
    const detach = await detachOf(raw, 'r1');

    expect(detach.performative.closed).toBe(true);
    expect(detach.performative.error).toMatchObject({ condition: 'com.microsoft:server-busy' });
    expect(emulator.faults.list()).toEqual([]);
    expect(armed.count).toBe(1);
    // The failed take locked nothing; the first delivery keeps its lock until it expires.
    expect(states(queue)).toEqual([[1, 'locked', 0], [2, 'active', 0]]);
    emulator.clock.advance({ ms: 30_001 });
    expect(states(queue)).toEqual([[1, 'active', 1], [2, 'active', 0]]);
    raw.close();
  });

  it('answers a drain the same way, with the condition of the armed error', async () => {
    const queue = uniqueName('rf');
    emulator.broker.createQueue(queue);
    const raw = await receiverOn(queue);
    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'quota-exceeded' });
    raw.flow(1, 0, 5, { drain: true });
    const detach = await detachOf(raw, 'r1');
    expect(detach.performative.error).toMatchObject({ condition: 'amqp:resource-limit-exceeded' });
    raw.close();
  });

  it('reaches a link idling on credit it holds when a message arrives for it, which stays unlocked', async () => {
    const queue = uniqueName('rf');
    emulator.broker.createQueue(queue);
    const raw = await receiverOn(queue);
    raw.flow(1, 0, 10);
    await new Promise((r) => setTimeout(r, 50));
    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'timeout' });
    emulator.send(queue, { body: 'arrives' });
    const detach = await detachOf(raw, 'r1');
    expect(detach.performative.error).toMatchObject({ condition: 'com.microsoft:timeout' });
    expect(await transfersOn(raw, 'r1')).toHaveLength(0);
    expect(states(queue)).toEqual([[1, 'active', 0]]);
    raw.close();
  });

  it('uses one of its count per link, leaves other entities alone, and a re-attached link receives', async () => {
    const queue = uniqueName('rf');
    const other = uniqueName('rf');
    emulator.broker.createQueue(queue);
    emulator.broker.createQueue(other);
    emulator.send(queue, { body: 'kept' });
    emulator.send(other, { body: 'elsewhere' });
    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'not-found', count: 2 });
    const bystander = await receiverOn(other, 1, 'bystander');
    bystander.flow(1, 0, 1);
    await delivered(bystander, 'bystander', 1);
    expect(emulator.faults.list()).toMatchObject([{ hits: 0 }]);

    // The attach itself is a receive too: count 1 refuses it, count 2 detaches the next link's flow.
    const first = await receiverOn(queue);
    const refused = await detachOf(first, 'r1');
    expect(refused.performative.error).toMatchObject({ condition: 'amqp:not-found' });
    const second = await receiverOn(queue, 1, 'again');
    second.flow(1, 0, 1);
    expect((await detachOf(second, 'again')).performative.error).toMatchObject({ condition: 'amqp:not-found' });
    expect(emulator.faults.list()).toEqual([]);
    const third = await receiverOn(queue, 1, 'third');
    third.flow(1, 0, 1);
    await delivered(third, 'third', 1);
    expect(states(queue)).toEqual([[1, 'locked', 0]]);
    for (const r of [bystander, first, second, third]) r.close();
  });

  it('on a session link, the detach releases the session lock at once, as closing the link does', async () => {
    const queue = uniqueName('rf');
    emulator.broker.createQueue(queue, { requiresSession: true });
    emulator.send(queue, { body: 's', sessionId: 'a' });
    const raw = await receiverOn(queue, 1, 'r1', { filter: { 'com.microsoft:session-filter': 'a' } });
    raw.flow(1, 0, 1);
    await delivered(raw, 'r1', 1);
    expect(emulator.inspect.sessions(queue)).toMatchObject([{ sessionId: 'a', lockHolder: expect.any(String) }]);
    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'server-busy' });
    raw.flow(1, 1, 1);
    expect((await detachOf(raw, 'r1')).performative.error).toMatchObject({ condition: 'com.microsoft:server-busy' });
    await raw.c.waitFor(() => (emulator.inspect.sessions(queue)[0]?.lockHolder == null ? true : undefined));
    raw.close();
  });
});

describe('a settle fault on a disposition', () => {
  it('is answered with a settled rejected outcome carrying the condition, and the message stays locked', async () => {
    const queue = uniqueName('sf');
    emulator.broker.createQueue(queue);
    emulator.send(queue, { body: 'settle me' });
    const raw = await receiverOn(queue);
    raw.flow(1, 0, 1);
    const [delivery] = await delivered(raw, 'r1', 1);
    const id = delivery!.performative.delivery_id as number;
    emulator.faults.inject({ entity: queue, operation: 'settle', error: 'server-busy' });
    raw.disposition(id, id, false, accepted());
    const reply = await raw.c.waitFor(() => raw.frames('disposition').find((f) => f.performative.role === false && f.performative.first === id));
    expect(reply.performative.settled).toBe(true);
    expect(JSON.stringify(reply.performative.state)).toContain('com.microsoft:server-busy');
    expect(states(queue)).toEqual([[1, 'locked', 0]]);
    raw.close();
  });
});
