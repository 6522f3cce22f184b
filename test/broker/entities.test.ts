import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS } from '../../src/broker/index.js';
import { expectCode, msg, setup, T0 } from './helpers.js';

describe('entities', () => {
  it('creates queues with Azure defaults and keeps the original case', () => {
    const { broker } = setup();
    const q = broker.createQueue('My.Queue-1_a/b');
    expect(q.name).toBe('My.Queue-1_a/b');
    expect(q.properties).toMatchObject({
      lockDurationMs: 60_000,
      maxDeliveryCount: 10,
      defaultMessageTimeToLiveMs: MAX_DURATION_MS,
      deadLetteringOnMessageExpiration: false,
      requiresSession: false,
      maxSizeInMegabytes: 1024,
      maxMessageSizeInKilobytes: 256,
      duplicateDetectionHistoryTimeWindowMs: 600_000,
      status: 'Active',
    });
    expect(q.times).toEqual({ createdAt: T0, updatedAt: T0, accessedAt: T0 });
    expect(broker.entityKind('my.queue-1_A/B')).toBe('queue');
    expect(broker.entityKind('my.queue-1_a/b/$deadletterqueue')).toBe('queue');
  });

  it('has no artificial caps on TTL or MaxDeliveryCount', () => {
    const { broker } = setup();
    const q = broker.createQueue('q', { maxDeliveryCount: 5000, defaultMessageTimeToLiveMs: 30 * 24 * 3600_000 });
    expect(q.properties.maxDeliveryCount).toBe(5000);
  });

  it('names are case-insensitive and shared by queues and topics', () => {
    const { broker } = setup();
    broker.createQueue('Orders');
    expectCode(() => broker.createQueue('ORDERS'), 'EntityAlreadyExists');
    expectCode(() => broker.createTopic('orders'), 'EntityAlreadyExists');
    expectCode(() => broker.createQueue('bad name'), 'ArgumentError');
    expectCode(() => broker.createQueue(''), 'ArgumentError');
    expectCode(() => broker.getQueue('nope'), 'EntityNotFound');
  });

  it('updates properties, refuses to change RequiresSession, validates values', () => {
    const { broker, clock } = setup();
    broker.createQueue('q');
    clock.advance(5);
    const q = broker.updateQueue('q', { lockDurationMs: 5000, userMetadata: 'hi' });
    expect(q.properties.lockDurationMs).toBe(5000);
    expect(q.properties.userMetadata).toBe('hi');
    expect(q.times.updatedAt).toBe(T0 + 5);
    expectCode(() => broker.updateQueue('q', { requiresSession: true }), 'InvalidOperation');
    expectCode(() => broker.updateQueue('q', { maxDeliveryCount: 0 }), 'ArgumentError');
    expectCode(() => broker.updateQueue('q', { lockDurationMs: Number.NaN }), 'ArgumentError');
    expectCode(() => broker.updateQueue('q', { bogus: 1 } as never), 'ArgumentError');
  });

  it('properties fixed at creation: an update may repeat them, a change is refused by name and kind and changes nothing', () => {
    const { broker } = setup();
    broker.createQueue('q', { enablePartitioning: true });
    broker.createTopic('t', { enablePartitioning: true });
    broker.createSubscription('t', 's', { requiresSession: true });
    const refused = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`;
      }
      return 'accepted';
    };
    expect(refused(() => broker.updateQueue('q', { requiresSession: true, userMetadata: 'x' }))).toBe(
      'InvalidOperation: RequiresSession cannot be changed on an existing queue.',
    );
    expect(refused(() => broker.updateQueue('q', { enablePartitioning: false }))).toBe('InvalidOperation: EnablePartitioning cannot be changed on an existing queue.');
    expect(refused(() => broker.updateTopic('t', { enablePartitioning: false }))).toBe('InvalidOperation: EnablePartitioning cannot be changed on an existing topic.');
    expect(refused(() => broker.updateSubscription('t', 's', { requiresSession: false }))).toBe(
      'InvalidOperation: RequiresSession cannot be changed on an existing subscription.',
    );
    expect(broker.getQueue('q').properties.userMetadata).toBeUndefined();
    expect(broker.updateQueue('q', { enablePartitioning: true, requiresSession: false, userMetadata: 'y' }).properties.userMetadata).toBe('y');
    expect(broker.updateTopic('t', { enablePartitioning: true }).properties.enablePartitioning).toBe(true);
    expect(broker.updateSubscription('t', 's', { requiresSession: true }).properties.requiresSession).toBe(true);
  });

  it('lists and deletes; deleting drops messages, closes receivers and fails waiters', () => {
    const { broker } = setup();
    broker.createQueue('a');
    broker.createQueue('s', { requiresSession: true });
    broker.send('a', [msg(1)]);
    const r = broker.openReceiver('a', { mode: 'peekLock' });
    const [m] = r.receive(1);
    const results: string[] = [];
    broker.acceptNextSession('s', { mode: 'peekLock', timeoutMs: 1000 }, (e) => results.push(e!.code));
    expect(broker.listQueues().map((q) => q.name)).toEqual(['a', 's']);
    broker.deleteQueue('A');
    broker.deleteQueue('s');
    expect(results).toEqual(['EntityNotFound']);
    expect(r.closed).toBe(true);
    expectCode(() => broker.complete('a', m!.lockToken!), 'EntityNotFound');
    broker.createQueue('a');
    expect(broker.runtime('a').totalMessageCount).toBe(0);
    expect(broker.send('a', [msg(2)])).toEqual([1]);
  });

  it('manages topics and subscriptions', () => {
    const { broker } = setup();
    broker.createTopic('t', { maxSizeInMegabytes: 2048 });
    const s = broker.createSubscription('t', 'Sub1', { maxDeliveryCount: 3 });
    expect(s).toMatchObject({ topicName: 't', name: 'Sub1', properties: { maxDeliveryCount: 3, deadLetteringOnFilterEvaluationExceptions: true } });
    expectCode(() => broker.createSubscription('t', 'sub1'), 'EntityAlreadyExists');
    expectCode(() => broker.createSubscription('nope', 's'), 'EntityNotFound');
    expect(broker.entityKind('T/subscriptions/SUB1')).toBe('subscription');
    expect(broker.entityKind('t')).toBe('topic');
    expect(broker.entityKind('t/$DeadLetterQueue')).toBeUndefined();
    expect(broker.updateSubscription('t', 'sub1', { lockDurationMs: 1000 }).properties.lockDurationMs).toBe(1000);
    expect(broker.updateTopic('t', { status: 'SendDisabled' }).properties.status).toBe('SendDisabled');
    expect(broker.listSubscriptions('t').map((x) => x.name)).toEqual(['Sub1']);
    broker.deleteSubscription('t', 'SUB1');
    expect(broker.listSubscriptions('t')).toEqual([]);
    broker.createSubscription('t', 'again');
    broker.deleteTopic('t');
    expect(broker.entityKind('t/subscriptions/again')).toBeUndefined();
    expect(broker.listTopics()).toEqual([]);
  });

  it('runtime counts cover active, dead-letter, scheduled and size', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg(1), msg(2), msg(3, { scheduledEnqueueTimeUtc: T0 + 1000 })]);
    broker.deadLetter('q', broker.openReceiver('q', { mode: 'peekLock' }).receive(1)[0]!.lockToken!);
    expect(broker.runtime('q/$DeadLetterQueue')).toEqual({
      activeMessageCount: 1,
      deadLetterMessageCount: 1,
      scheduledMessageCount: 1,
      transferMessageCount: 0,
      transferDeadLetterMessageCount: 0,
      totalMessageCount: 3,
      sizeInBytes: 30,
    });
  });
});
