/**
 * The test control plane as test authors use it: the official JS SDK against an emulator whose
 * clock moves on demand and which misbehaves on request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceBusClient } from '@azure/service-bus';
import { startEmulator, type Emulator } from '../../src/index.js';
import { client, uniqueName } from './harness.js';

let emulator: Emulator;
let sb: ServiceBusClient;

beforeAll(async () => {
  emulator = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', clock: 'offset' });
  sb = client(emulator);
});

afterAll(async () => {
  await sb?.close();
  await emulator?.close();
});

describe('time travel with the JS SDK', () => {
  it('a message with a one-hour TTL is dead-lettered once the clock advances an hour', async () => {
    const queue = uniqueName('ttl');
    emulator.broker.createQueue(queue, { deadLetteringOnMessageExpiration: true });
    const sender = sb.createSender(queue);
    await sender.sendMessages({ body: 'expires', messageId: 'ttl-1', timeToLive: 60 * 60 * 1000 });
    const receiver = sb.createReceiver(queue);
    expect(await receiver.peekMessages(1)).toHaveLength(1);

    emulator.clock.advance('PT1H');

    expect(await receiver.peekMessages(1)).toHaveLength(0);
    const dlq = sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(dead).toMatchObject({ body: 'expires', messageId: 'ttl-1', deadLetterReason: 'TTLExpiredException' });
    await dlq.completeMessage(dead!);
    expect(emulator.journal({ entity: queue }).map((e) => e.type)).toEqual(['enqueued', 'expired', 'deadlettered', 'delivered', 'completed']);
    await Promise.all([sender.close(), receiver.close(), dlq.close()]);
  });

  it('a five-minute session lock expires on advance and a second receiver takes the session', async () => {
    const queue = uniqueName('session');
    emulator.broker.createQueue(queue, { requiresSession: true, lockDurationMs: 5 * 60_000 });
    const sender = sb.createSender(queue);
    await sender.sendMessages({ body: 'work', sessionId: 'order-7' });

    const first = await sb.acceptSession(queue, 'order-7', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await first.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(m?.deliveryCount).toBe(0);
    await expect(sb.acceptSession(queue, 'order-7')).rejects.toMatchObject({ code: 'SessionCannotBeLocked' });
    const [held] = emulator.inspect.messages(queue, { state: 'locked' });
    expect(held?.lockHolder).toEqual(expect.any(String));
    expect(emulator.inspect.sessions(queue)).toMatchObject([{ sessionId: 'order-7', locked: 1, lockHolder: held!.lockHolder }]);

    emulator.clock.advance('PT5M');

    const second = await sb.acceptSession(queue, 'order-7', { maxAutoLockRenewalDurationInMs: 0 });
    const [again] = await second.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(again).toMatchObject({ body: 'work', deliveryCount: 1 });
    await second.completeMessage(again!);
    await expect(first.completeMessage(m!)).rejects.toMatchObject({ code: 'SessionLockLost' });
    const sessionEvents = emulator.journal({ entity: queue, session: 'order-7' }).filter((e) => e.type.startsWith('session'));
    expect(sessionEvents.map((e) => e.type)).toEqual(['sessionAccepted', 'sessionLockLost', 'sessionAccepted']);
    await Promise.all([sender.close(), first.close(), second.close()]);
  });
});

describe('fault injection with the JS SDK', () => {
  it('the SDK retries through server-busy answers and its message arrives once', async () => {
    const queue = uniqueName('busy');
    emulator.broker.createQueue(queue);
    const retrying = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 3, retryDelayInMs: 50, timeoutInMs: 10_000 } });
    const sender = retrying.createSender(queue);
    await sender.sendMessages({ body: 'warm-up' });
    const armed = emulator.faults.inject({ entity: queue, operation: 'send', error: 'server-busy', count: 2 });
    expect(armed).toMatchObject({ count: 2, hits: 0 });

    await sender.sendMessages({ body: 'through' });

    expect(emulator.faults.list()).toEqual([]);
    expect(emulator.inspect.messages(queue).map((m) => m.body)).toEqual(['"warm-up"', '"through"']);
    await sender.close();
    await retrying.close();
  });

  it('without retries the SDK reports the fault as Azure would: ServiceBusy', async () => {
    const queue = uniqueName('busy');
    emulator.broker.createQueue(queue);
    const sender = sb.createSender(queue);
    await sender.sendMessages({ body: 'warm-up' });
    emulator.faults.inject({ entity: queue, operation: 'send', error: 'server-busy' });
    await expect(sender.sendMessages({ body: 'refused' })).rejects.toMatchObject({ code: 'ServiceBusy', retryable: true });
    await sender.close();
  });

  it('a delayed send outlasts the SDK timeout; a shorter delay only slows it', async () => {
    const queue = uniqueName('slow');
    emulator.broker.createQueue(queue);
    const impatient = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 1000 } });
    const sender = impatient.createSender(queue);
    await sender.sendMessages({ body: 'warm-up' });
    emulator.faults.inject({ entity: queue, operation: 'send', delayMs: 2000 });
    await expect(sender.sendMessages({ body: 'late' })).rejects.toMatchObject({ code: 'ServiceTimeout' });
    // The held message is handled once its delay is over: the send happened, the answer came late.
    await expect.poll(() => emulator.inspect.messages(queue).length, { timeout: 4000 }).toBe(2);
    emulator.faults.inject({ entity: queue, operation: 'send', delayMs: 300 });
    const started = Date.now();
    await sender.sendMessages({ body: 'slow' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await sender.close();
    await impatient.close();
  });

  it('a dropped connection is reopened by the SDK, which then sends again', async () => {
    const queue = uniqueName('drop');
    emulator.broker.createQueue(queue);
    const local = client(emulator);
    const sender = local.createSender(queue);
    await sender.sendMessages({ body: 'before' });
    expect(emulator.faults.dropConnections(queue)).toEqual({ connections: 1 });
    await new Promise((r) => setTimeout(r, 200));
    await sender.sendMessages({ body: 'after' });
    expect(emulator.inspect.messages(queue)).toHaveLength(2);
    await local.close();
  });
});

describe('reset with open connections', () => {
  it('keeps the connection, detaches links to removed entities with not-found, and restarts sequence numbers', async () => {
    const local = client(emulator);
    const runtimeQueue = uniqueName('runtime');
    emulator.broker.createQueue(runtimeQueue);
    const configured = local.createSender('queue.1');
    await configured.sendMessages({ body: 'a' });
    const gone = local.createReceiver(runtimeQueue);
    const errors: unknown[] = [];
    gone.subscribe({ processMessage: async () => undefined, processError: async (e) => void errors.push(e.error) });
    await new Promise((r) => setTimeout(r, 200));

    const result = emulator.reset();

    expect(result.removed).toContain(runtimeQueue);
    expect(emulator.inspect.messages('queue.1')).toEqual([]);
    await configured.sendMessages({ body: 'b' });
    expect(emulator.inspect.messages('queue.1')).toMatchObject([{ sequenceNumber: 1, body: '"b"' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(errors.some((e) => (e as { code?: string }).code === 'MessagingEntityNotFound')).toBe(true);
    await gone.close();
    await local.close();
  });
});
