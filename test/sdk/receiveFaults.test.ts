/**
 * Receive and settle faults as the official JS SDK meets them. Its receivers attach once and then
 * ask for messages by granting credit, so a fault armed while a receiver is open must reach that
 * open link: receiveMessages retries through a retryable error (re-opening the link) and surfaces
 * a non-retryable one; subscribe() reports either to processError and re-opens its link.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { startEmulator, type Emulator } from '../../src/index.js';
import { client, uniqueName } from './harness.js';

let emulator: Emulator;
let sb: ServiceBusClient;
let retrying: ServiceBusClient;

beforeAll(async () => {
  emulator = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', clock: 'offset' });
  sb = client(emulator);
  retrying = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 3, retryDelayInMs: 20, timeoutInMs: 10_000 } });
});

// The fault list is the emulator's: a test that failed with a fault still armed must not fail the next.
afterEach(() => emulator.faults.clear());

afterAll(async () => {
  await Promise.all([sb?.close(), retrying?.close()]);
  await emulator?.close();
});

async function queueWith(prefix: string, bodies: string[]): Promise<string> {
  const queue = uniqueName(prefix);
  emulator.broker.createQueue(queue);
  const sender = sb.createSender(queue);
  if (bodies.length) await sender.sendMessages(bodies.map((body) => ({ body })));
  await sender.close();
  return queue;
}

describe('receive faults on an open receiver', () => {
  it('receiveMessages retries through server-busy on the open link and still returns the messages', async () => {
    const queue = await queueWith('busy', ['a', 'b', 'c']);
    const receiver = retrying.createReceiver(queue);
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(first?.body).toBe('a');
    await receiver.completeMessage(first!);

    const armed = emulator.faults.inject({ entity: queue, operation: 'receive', error: 'server-busy', count: 1 });
    expect(armed).toMatchObject({ operation: 'receive', count: 1, hits: 0 });
    const rest = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });

    expect(rest.map((m) => m.body)).toEqual(['b', 'c']);
    // Used up by the open link's flow (the SDK then re-opened it): nothing else asked for messages.
    expect(emulator.faults.list()).toEqual([]);
    await Promise.all(rest.map((m) => receiver.completeMessage(m)));
    expect(emulator.inspect.messages(queue)).toEqual([]);
    await receiver.close();
  });

  it('a fault with a larger count shows its hits while armed, and each hit is one receive the SDK retried', async () => {
    const queue = await queueWith('busy', ['a', 'b']);
    const receiver = retrying.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    expect((await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 })).map((m) => m.body)).toEqual(['a']);
    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'server-busy', count: 5 });
    const failed = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 }).catch((e: unknown) => e);
    // Four attempts (maxRetries 3): the open link's flow, then three re-opened links refused;
    // the SDK gives up with every attempt's error, each a retryable server-busy.
    const attempts = ((failed as { cause?: { errors?: unknown[] } }).cause?.errors ?? []) as { retryable?: boolean; message?: string }[];
    expect(attempts).toHaveLength(4);
    expect(attempts.every((e) => e.retryable === true && /throttled/.test(e.message ?? ''))).toBe(true);
    expect(emulator.faults.list()).toMatchObject([{ count: 5, hits: 4 }]);
    expect((await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 })).map((m) => m.body)).toEqual(['b']);
    expect(emulator.faults.list()).toEqual([]);
    await receiver.close();
  });

  it('without retries receiveMessages rejects with ServiceBusy, retryable; a non-retryable error is not retried', async () => {
    const queue = await queueWith('busy', ['a', 'b']);
    const plain = sb.createReceiver(queue);
    const [a] = await plain.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await plain.completeMessage(a!);
    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'server-busy' });
    await expect(plain.receiveMessages(1, { maxWaitTimeInMs: 5000 })).rejects.toMatchObject({ code: 'ServiceBusy', retryable: true });
    await plain.close();

    const eager = retrying.createReceiver(queue);
    await eager.peekMessages(1); // opens the client's connection; the receiver link opens below
    const [b] = await eager.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(b?.body).toBe('b');
    await eager.abandonMessage(b!);
    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'entity-disabled' });
    // Had the SDK retried, its second attempt would have received 'b'.
    await expect(eager.receiveMessages(1, { maxWaitTimeInMs: 5000 })).rejects.toMatchObject({ code: 'MessagingEntityDisabled', retryable: false });
    expect((await eager.receiveMessages(1, { maxWaitTimeInMs: 5000 })).map((m) => m.body)).toEqual(['b']);
    await eager.close();
  });

  it('subscribe() reports a non-retryable error to processError, re-opens its link and keeps receiving', async () => {
    const queue = await queueWith('sub', []);
    const sender = sb.createSender(queue);
    const receiver = retrying.createReceiver(queue);
    const bodies: unknown[] = [];
    const errors: { code?: string; source: string }[] = [];
    const subscription = receiver.subscribe({
      processMessage: async (m) => void bodies.push(m.body),
      processError: async (args) => void errors.push({ code: (args.error as { code?: string }).code, source: args.errorSource }),
    });
    await sender.sendMessages({ body: 'before' });
    await expect.poll(() => emulator.inspect.messages(queue).length, { timeout: 5000 }).toBe(0);

    emulator.faults.inject({ entity: queue, operation: 'receive', error: 'not-found' });
    await sender.sendMessages({ body: 'after' });

    await expect.poll(() => bodies, { timeout: 5000 }).toEqual(['before', 'after']);
    expect(errors).toEqual([{ code: 'MessagingEntityNotFound', source: 'receive' }]);
    expect(emulator.faults.list()).toEqual([]);
    await expect.poll(() => emulator.inspect.messages(queue).length, { timeout: 5000 }).toBe(0);
    await subscription.close();
    await Promise.all([sender.close(), receiver.close()]);
  });

  it('thousands of messages through one receiver with repeated receive faults: none lost, none twice', async () => {
    const total = 3000;
    const queue = uniqueName('many');
    emulator.broker.createQueue(queue);
    const sender = sb.createSender(queue);
    for (let i = 0; i < total; i += 500) {
      await sender.sendMessages(Array.from({ length: 500 }, (_, j) => ({ body: i + j })));
    }
    const receiver = retrying.createReceiver(queue);
    const seen = new Map<number, number>();
    let faults = 0;
    for (let round = 0; seen.size < total && round < 200; round++) {
      // Every third request meets a server-busy on its open link (and on the first re-open half the time).
      if (round % 3 === 1) {
        emulator.faults.inject({ entity: queue, operation: 'receive', error: 'server-busy', count: faults % 2 === 0 ? 1 : 2 });
        faults++;
      }
      const batch: ServiceBusReceivedMessage[] = await receiver.receiveMessages(97, { maxWaitTimeInMs: 5000 });
      for (const m of batch) seen.set(Number(m.sequenceNumber), (seen.get(Number(m.sequenceNumber)) ?? 0) + 1);
      await Promise.all(batch.map((m) => receiver.completeMessage(m)));
      expect(emulator.faults.list()).toEqual([]);
    }
    expect(faults).toBeGreaterThanOrEqual(10);
    expect(seen.size).toBe(total);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect([...seen.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(emulator.inspect.messages(queue)).toEqual([]);
    await Promise.all([sender.close(), receiver.close()]);
  }, 60_000);

  it('a subscribe() receiver streaming thousands while faults keep detaching its link: none lost, none twice', async () => {
    const total = 2000;
    const queue = uniqueName('stream');
    emulator.broker.createQueue(queue);
    const sender = sb.createSender(queue);
    const receiver = retrying.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const seen = new Map<number, number>();
    let reported = 0;
    const subscription = receiver.subscribe(
      {
        processMessage: async (m) => void seen.set(Number(m.sequenceNumber), (seen.get(Number(m.sequenceNumber)) ?? 0) + 1),
        processError: async () => void reported++,
      },
      { maxConcurrentCalls: 10 },
    );
    // While messages stream in, a fault is armed again once the last one was used and the link
    // has carried another hundred messages.
    let armed = 0;
    let atLastFault = 0;
    const rearm = setInterval(() => {
      if (emulator.faults.list().length === 0 && seen.size < total && seen.size - atLastFault >= 100) {
        atLastFault = seen.size;
        emulator.faults.inject({ entity: queue, operation: 'receive', error: 'server-busy' });
        armed++;
      }
    }, 5);
    for (let i = 0; i < total; i += 250) await sender.sendMessages(Array.from({ length: 250 }, (_, j) => ({ body: i + j })));
    await expect.poll(() => seen.size, { timeout: 30_000 }).toBe(total);
    clearInterval(rearm);
    expect(armed).toBeGreaterThanOrEqual(5);
    expect(reported).toBeGreaterThanOrEqual(armed - 1);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(emulator.inspect.messages(queue)).toEqual([]);
    await subscription.close();
    await Promise.all([sender.close(), receiver.close()]);
  }, 60_000);
});

describe('settle faults on the disposition', () => {
  it('completeMessage rejects with the code Azure gives and the message stays locked', async () => {
    const queue = await queueWith('settle', ['x']);
    const receiver = sb.createReceiver(queue);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    emulator.faults.inject({ entity: queue, operation: 'settle', error: 'server-busy' });
    await expect(receiver.completeMessage(m!)).rejects.toMatchObject({ code: 'ServiceBusy', retryable: true });
    expect(emulator.faults.list()).toEqual([]);
    expect(emulator.inspect.messages(queue)).toMatchObject([{ sequenceNumber: 1, state: 'locked' }]);
    await receiver.close();
  });

  it('with retries the SDK cannot retry a refused disposition (Azure settles it): it reports both attempts', async () => {
    const queue = await queueWith('settle', ['x']);
    const receiver = retrying.createReceiver(queue);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    emulator.faults.inject({ entity: queue, operation: 'settle', error: 'server-busy' });
    const failed = await receiver.completeMessage(m!).catch((e: unknown) => e);
    const aggregate = failed as { errors?: unknown[]; cause?: { errors?: unknown[] } };
    const attempts = (aggregate.cause?.errors ?? aggregate.errors ?? []) as { code?: string; message?: string }[];
    // The first answer is the fault; the retry finds the delivery already settled by that answer.
    expect(attempts.map((e) => e.code ?? e.message)).toEqual(['ServiceBusy', expect.stringMatching(/already settled/)]);
    expect(emulator.inspect.messages(queue)).toMatchObject([{ sequenceNumber: 1, state: 'locked' }]);
    await receiver.close();
  });
});
