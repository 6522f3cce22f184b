/**
 * Every operation the SDK exposes, driven by @azure/service-bus against the real emulator.
 * Lock and TTL tests use short durations and real time: here the wire is what is under test
 * (the clock-driven rules themselves are covered in test/broker with a fake clock).
 */
import { describe, expect, it } from 'vitest';
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusReceivedMessage } from '@azure/service-bus';
import type { AmqpAnnotatedMessage } from '@azure/core-amqp';
import { sleep, uniqueName, useSharedEmulator } from './harness.js';

const env = useSharedEmulator();
const { newQueue } = env;
const sendBodies = (queue: string, bodies: unknown[], extra: Record<string, unknown> = {}) => env.send(queue, bodies.map((body) => ({ body, ...extra })));

describe('peek-lock and settlement', () => {
  it('delivers with lock token, locked-until, sequence number and delivery count 0; complete removes', async () => {
    const queue = newQueue();
    await sendBodies(queue, ['a', 'b']);
    const receiver = env.sb.createReceiver(queue);
    const [m1, m2] = await receiver.receiveMessages(2, { maxWaitTimeInMs: 2000 });
    expect(m1!.body).toBe('a');
    expect(m2!.body).toBe('b');
    expect(m1!.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(m1!.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(Number(m1!.sequenceNumber)).toBe(1);
    expect(Number(m2!.sequenceNumber)).toBe(2);
    expect(m1!.deliveryCount).toBe(0);
    expect(m1!.messageId).toMatch(/^[0-9a-f]{32}$/);
    await receiver.completeMessage(m1!);
    await receiver.completeMessage(m2!);
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    await receiver.close();
  });

  it('renews a message lock, and redelivers with delivery count 1 once the lock expires', async () => {
    const queue = newQueue({ lockDurationMs: 1000 });
    await sendBodies(queue, ['x']);
    const receiver = env.sb.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    const before = m!.lockedUntilUtc!.getTime();
    await sleep(200);
    const renewed = await receiver.renewMessageLock(m!);
    expect(renewed.getTime()).toBeGreaterThan(before);
    await sleep(1300);
    await expect(receiver.completeMessage(m!)).rejects.toMatchObject({ code: 'MessageLockLost' });
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(again!.body).toBe('x');
    expect(again!.deliveryCount).toBe(1);
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  it('abandons up to MaxDeliveryCount, then the message is in the dead-letter queue', async () => {
    const queue = newQueue({ maxDeliveryCount: 3 });
    await sendBodies(queue, ['poison']);
    const receiver = env.sb.createReceiver(queue);
    for (let i = 0; i < 3; i++) {
      const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
      expect(m!.deliveryCount).toBe(i);
      await receiver.abandonMessage(m!, { attempt: i });
    }
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const dlq = env.sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead!.body).toBe('poison');
    expect(dead!.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead!.applicationProperties?.attempt).toBe(2);
    await dlq.completeMessage(dead!);
    expect(env.emulator.broker.runtime(queue).deadLetterMessageCount).toBe(0);
    await dlq.close();
    await receiver.close();
  });

  it('dead-letters explicitly with reason and description', async () => {
    const queue = newQueue();
    await sendBodies(queue, [{ order: 1 }]);
    const receiver = env.sb.createReceiver(queue);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(m!, { deadLetterReason: 'InvalidOrder', deadLetterErrorDescription: 'amount missing' });
    const dlq = env.sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead!.body).toEqual({ order: 1 });
    expect(dead!.deadLetterReason).toBe('InvalidOrder');
    expect(dead!.deadLetterErrorDescription).toBe('amount missing');
    await dlq.completeMessage(dead!);
    await dlq.close();
    await receiver.close();
  });

  it('defers, then receives the deferred message by sequence number', async () => {
    const queue = newQueue();
    await sendBodies(queue, ['later', 'now']);
    const receiver = env.sb.createReceiver(queue);
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deferMessage(first!);
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(second!.body).toBe('now');
    await receiver.completeMessage(second!);
    const [deferred] = await receiver.receiveDeferredMessages(first!.sequenceNumber!);
    expect(deferred!.body).toBe('later');
    expect(deferred!.state).toBe('deferred');
    await receiver.completeMessage(deferred!);
    await expect(receiver.receiveDeferredMessages(first!.sequenceNumber!)).rejects.toMatchObject({ code: 'MessageNotFound' });
    await receiver.close();
  });

  it('receive-and-delete removes on delivery', async () => {
    const queue = newQueue();
    await sendBodies(queue, [1, 2, 3]);
    const receiver = env.sb.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got: unknown[] = [];
    while (got.length < 3) {
      const batch = await receiver.receiveMessages(3, { maxWaitTimeInMs: 1000 });
      got.push(...batch.map((m) => m.body));
    }
    expect(got).toEqual([1, 2, 3]);
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    await receiver.close();
  });

  it('streams with subscribe and completes automatically', async () => {
    const queue = newQueue();
    await sendBodies(queue, ['s1', 's2', 's3']);
    const receiver = env.sb.createReceiver(queue);
    const bodies: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      receiver.subscribe(
        {
          async processMessage(m) {
            bodies.push(m.body);
            if (bodies.length === 3) resolve();
          },
          async processError(args) {
            reject(args.error);
          },
        },
        { maxConcurrentCalls: 2 },
      );
    });
    await receiver.close();
    expect(bodies).toEqual(['s1', 's2', 's3']);
    await sleep(100);
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
  });
});

describe('time: TTL and scheduling', () => {
  it('dead-letters an expired message with TTLExpiredException', async () => {
    const queue = newQueue({ deadLetteringOnMessageExpiration: true });
    const sender = env.sb.createSender(queue);
    await sender.sendMessages({ body: 'short-lived', timeToLive: 300 });
    await sender.close();
    await sleep(600);
    expect(env.emulator.broker.runtime(queue)).toMatchObject({ activeMessageCount: 0, deadLetterMessageCount: 1 });
    const dlq = env.sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead!.body).toBe('short-lived');
    expect(dead!.deadLetterReason).toBe('TTLExpiredException');
    expect(dead!.timeToLive).toBe(300);
    await dlq.completeMessage(dead!);
    await dlq.close();
  });

  it('schedules, peeks the scheduled state, cancels, and delivers when due', async () => {
    const queue = newQueue();
    const sender = env.sb.createSender(queue);
    const [cancelled] = await sender.scheduleMessages({ body: 'never' }, new Date(Date.now() + 60_000));
    const [due] = await sender.scheduleMessages({ body: 'soon' }, new Date(Date.now() + 700));
    expect(Number(due) - Number(cancelled)).toBe(1);
    const receiver = env.sb.createReceiver(queue);
    const peeked = await receiver.peekMessages(10, { fromSequenceNumber: cancelled as never });
    expect(peeked.map((m) => [m.body, m.state])).toEqual([
      ['never', 'scheduled'],
      ['soon', 'scheduled'],
    ]);
    await sender.cancelScheduledMessages(cancelled!);
    expect(env.emulator.broker.runtime(queue).scheduledMessageCount).toBe(1);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(m!.body).toBe('soon');
    expect(m!.scheduledEnqueueTimeUtc!.getTime()).toBeGreaterThan(Date.now() - 5000);
    await receiver.completeMessage(m!);
    expect(env.emulator.broker.runtime(queue)).toMatchObject({ activeMessageCount: 0, scheduledMessageCount: 0 });
    await sender.close();
    await receiver.close();
  });
});

describe('peek and batches', () => {
  it('peeks without locking and continues from the last sequence number', async () => {
    const queue = newQueue();
    await sendBodies(queue, ['p1', 'p2', 'p3']);
    const receiver = env.sb.createReceiver(queue);
    const first = await receiver.peekMessages(2);
    expect(first.map((m) => m.body)).toEqual(['p1', 'p2']);
    const next = await receiver.peekMessages(2);
    expect(next.map((m) => m.body)).toEqual(['p3']);
    expect(first[0]!.lockToken).toBeUndefined();
    const received = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect(received).toHaveLength(3);
    for (const m of received) await receiver.completeMessage(m);
    await receiver.close();
  });

  it('sends a batch sized by the link max-message-size, all messages enqueued in order', async () => {
    const queue = newQueue();
    const sender = env.sb.createSender(queue);
    const batch = await sender.createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(256 * 1024);
    for (let i = 0; i < 50; i++) expect(batch.tryAddMessage({ body: `m${i}`, applicationProperties: { i } })).toBe(true);
    await sender.sendMessages(batch);
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(50);
    const receiver = env.sb.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got: ServiceBusReceivedMessage[] = [];
    while (got.length < 50) got.push(...(await receiver.receiveMessages(50, { maxWaitTimeInMs: 1000 })));
    expect(got.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(got.map((m) => m.applicationProperties?.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await sender.close();
    await receiver.close();
  });

  it('refuses a message larger than the entity allows, leaving the queue untouched', async () => {
    const queue = newQueue();
    const sender = env.sb.createSender(queue);
    await expect(sender.sendMessages({ body: Buffer.alloc(300 * 1024) })).rejects.toMatchObject({ code: 'MessageSizeExceeded' });
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    await sender.close();
  });
});

describe('sessions beyond the tutorial', () => {
  it('renews a session lock; an expired session lock fails the receiver and frees the session', async () => {
    const queue = newQueue({ requiresSession: true, lockDurationMs: 1000 });
    const sender = env.sb.createSender(queue);
    await sender.sendMessages([{ body: 1, sessionId: 's' }, { body: 2, sessionId: 's' }]);
    const receiver = await env.sb.acceptSession(queue, 's', { maxAutoLockRenewalDurationInMs: 0 });
    const before = receiver.sessionLockedUntilUtc!.getTime();
    await sleep(200);
    const renewed = await receiver.renewSessionLock();
    expect(renewed.getTime()).toBeGreaterThan(before);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(m!.body).toBe(1);
    await sleep(1400);
    await expect(receiver.completeMessage(m!)).rejects.toMatchObject({ code: 'SessionLockLost' });
    await receiver.close();
    const next = await env.sb.acceptSession(queue, 's');
    const again = await next.receiveMessages(2, { maxWaitTimeInMs: 2000 });
    expect(again.map((x) => [x.body, x.deliveryCount])).toEqual([
      [1, 1],
      [2, 0],
    ]);
    for (const x of again) await next.completeMessage(x);
    await next.close();
    await sender.close();
  });

  it('peeks within a session only', async () => {
    const queue = newQueue({ requiresSession: true });
    const sender = env.sb.createSender(queue);
    await sender.sendMessages([
      { body: 'a1', sessionId: 'a' },
      { body: 'b1', sessionId: 'b' },
      { body: 'a2', sessionId: 'a' },
    ]);
    const receiver = await env.sb.acceptSession(queue, 'a');
    expect((await receiver.peekMessages(10)).map((m) => m.body)).toEqual(['a1', 'a2']);
    await receiver.close();
    await sender.close();
  });

  it('refuses a message without session id on a session queue, and a non-session receiver', async () => {
    const queue = newQueue({ requiresSession: true });
    const sender = env.sb.createSender(queue);
    await expect(sender.sendMessages({ body: 'no session' })).rejects.toMatchObject({ name: 'ServiceBusError' });
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    await sender.sendMessages({ body: 'in a session', sessionId: 's' });
    // A receiver without a session cannot take session messages: the attach is refused.
    const plain = env.sb.createReceiver(queue);
    await expect(plain.receiveMessages(1, { maxWaitTimeInMs: 2000 })).rejects.toMatchObject({ name: 'ServiceBusError' });
    await plain.close();
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(1);
    await sender.close();
  });

  it('abandons a session message back to the head of its session', async () => {
    const queue = newQueue({ requiresSession: true });
    const sender = env.sb.createSender(queue);
    await sender.sendMessages([1, 2, 3].map((body) => ({ body, sessionId: 'o' })));
    const receiver = await env.sb.acceptSession(queue, 'o');
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.abandonMessage(m!);
    const all = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect(all.map((x) => x.body)).toEqual([1, 2, 3]);
    expect(all[0]!.deliveryCount).toBe(1);
    for (const x of all) await receiver.completeMessage(x);
    await receiver.close();
    await sender.close();
  });
});

describe('topics, subscriptions and rules', () => {
  it('fans out to subscriptions whose rules match; rules managed over $management', async () => {
    const topic = uniqueName('t');
    env.emulator.broker.createTopic(topic);
    env.emulator.broker.createSubscription(topic, 'all');
    env.emulator.broker.createSubscription(topic, 'red');
    const rules = env.sb.createRuleManager(topic, 'red');
    await rules.deleteRule('$Default');
    await rules.createRule('only-red', { applicationProperties: { color: 'red' } });
    await rules.createRule('sql-big', { sqlExpression: 'size > 10' });
    const listed = await rules.listRules().byPage().next();
    const names = (listed.value as { name: string }[]).map((r) => r.name).sort();
    expect(names).toEqual(['only-red', 'sql-big']);
    await rules.deleteRule('sql-big');

    const sender = env.sb.createSender(topic);
    await sender.sendMessages([
      { body: 'r', applicationProperties: { color: 'red' } },
      { body: 'b', applicationProperties: { color: 'blue' } },
    ]);
    const all = env.sb.createReceiver(topic, 'all', { receiveMode: 'receiveAndDelete' });
    const red = env.sb.createReceiver(topic, 'red', { receiveMode: 'receiveAndDelete' });
    const gotAll: unknown[] = [];
    while (gotAll.length < 2) gotAll.push(...(await all.receiveMessages(2, { maxWaitTimeInMs: 1000 })).map((m) => m.body));
    expect(gotAll).toEqual(['r', 'b']);
    expect((await red.receiveMessages(2, { maxWaitTimeInMs: 1000 })).map((m) => m.body)).toEqual(['r']);
    await all.close();
    await red.close();
    await sender.close();
  });
});

describe('message fidelity', () => {
  it('round-trips every property and body type', async () => {
    const queue = newQueue();
    const sender = env.sb.createSender(queue);
    const when = new Date('2025-05-06T07:08:09.010Z');
    // Sent with the first message, and expected back on it as they were.
    const headers = {
      contentType: 'application/json',
      correlationId: 'corr-1',
      subject: 'subj',
      to: 'someone',
      replyTo: 'reply-queue',
      replyToSessionId: 'reply-session',
      messageId: 'mid-1',
      timeToLive: 3_600_000,
    };
    const messages: (ServiceBusMessage | AmqpAnnotatedMessage)[] = [
      { body: { nested: [1, 'two', { three: true }] }, ...headers, applicationProperties: { s: 'text', i: 42, neg: -7, f: 1.5, b: true, d: when } },
      { body: Buffer.from([0, 1, 2, 255]) },
      { body: 'plain string' },
      { body: 12345 },
      { body: [1, 2, 3], bodyType: 'sequence' },
      { body: 'value-typed', bodyType: 'value' },
    ];
    await sender.sendMessages(messages as ServiceBusMessage[]);
    const receiver = env.sb.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got: ServiceBusReceivedMessage[] = [];
    while (got.length < 6) got.push(...(await receiver.receiveMessages(6, { maxWaitTimeInMs: 1000 })));
    const [first, bin, str, num, seq, val] = got;
    expect(first!.body).toEqual({ nested: [1, 'two', { three: true }] });
    expect(first).toMatchObject(headers);
    // The JS SDK itself sends Date application properties as epoch milliseconds (on Azure too).
    expect(first!.applicationProperties).toEqual({ s: 'text', i: 42, neg: -7, f: 1.5, b: true, d: when.getTime() });
    expect(first!.expiresAtUtc!.getTime() - first!.enqueuedTimeUtc!.getTime()).toBe(3_600_000);
    expect(Buffer.from(bin!.body as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(str!.body).toBe('plain string');
    expect(num!.body).toBe(12345);
    expect(seq!.body).toEqual([1, 2, 3]);
    expect(seq!._rawAmqpMessage.bodyType).toBe('sequence');
    expect(val!.body).toBe('value-typed');
    expect(val!._rawAmqpMessage.bodyType).toBe('value');
    await receiver.close();
    await sender.close();
  });
});

describe('errors', () => {
  it('an unknown entity is MessagingEntityNotFound, for senders and receivers', async () => {
    const sender = env.sb.createSender('no-such-queue');
    await expect(sender.sendMessages({ body: 1 })).rejects.toMatchObject({ code: 'MessagingEntityNotFound' });
    await sender.close();
    const receiver = env.sb.createReceiver('no-such-queue');
    await expect(receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 })).rejects.toMatchObject({ code: 'MessagingEntityNotFound' });
    await receiver.close();
    expect(env.emulator.broker.entityKind('no-such-queue')).toBeUndefined();
  });

  it('a wrong key is UnauthorizedAccess', async () => {
    const queue = newQueue();
    const bad = new ServiceBusClient(env.emulator.connectionString.replace('SAS_KEY_VALUE', 'wrong-key'), { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
    const sender = bad.createSender(queue);
    await expect(sender.sendMessages({ body: 1 })).rejects.toMatchObject({ code: 'UnauthorizedAccess' });
    await bad.close();
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
  });
});
