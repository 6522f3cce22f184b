import { describe, expect, it } from 'vitest';
import { expectCode, msg, setup, T0 } from './helpers.js';

describe('send', () => {
  it('assigns per-entity sequence numbers from 1 that are never reused', () => {
    const { broker } = setup();
    broker.createQueue('a');
    broker.createQueue('b');
    expect(broker.send('a', [msg(1), msg(2)])).toEqual([1, 2]);
    expect(broker.send('b', [msg(3)])).toEqual([1]);
    const r = broker.openReceiver('a', { mode: 'receiveAndDelete' });
    r.receive(10);
    expect(broker.send('a', [msg(4)])).toEqual([3]);
  });

  it('stamps a 32-hex message id when absent and keeps a given one', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg(1), msg(2, { messageId: 'mine' })]);
    const [a, b] = broker.peek('q', 0, 10);
    expect(a!.messageId).toMatch(/^[0-9a-f]{32}$/);
    expect(b!.messageId).toBe('mine');
  });

  it('stamps enqueued time, effective TTL and expiry, keeps header fields', () => {
    const { broker } = setup();
    broker.createQueue('q', { defaultMessageTimeToLiveMs: 60_000 });
    broker.send('q', [msg(1, { timeToLiveMs: 120_000, subject: 's', correlationId: 'c', applicationProperties: { k: 1 } })]);
    const [m] = broker.peek('q', 0, 1);
    expect(m).toMatchObject({ enqueuedTimeUtc: T0, timeToLiveMs: 60_000, expiresAtUtc: T0 + 60_000, subject: 's', correlationId: 'c', deliveryCount: 0, state: 'active' });
    expect(m!.applicationProperties).toEqual({ k: 1 });
  });

  it('is all or nothing: one bad message rejects the batch', () => {
    const { broker } = setup();
    broker.createQueue('q');
    expectCode(() => broker.send('q', [msg(1), { payload: 2, size: -1 }]), 'ArgumentError');
    expect(broker.runtime('q').activeMessageCount).toBe(0);
    expect(broker.send('q', [msg(3)])).toEqual([1]);
  });

  it('enforces max message size and MaxSizeInMegabytes', () => {
    const { broker } = setup();
    broker.createQueue('q', { maxSizeInMegabytes: 1 });
    expectCode(() => broker.send('q', [{ payload: 0, size: 256 * 1024 + 1 }]), 'MessageSizeExceeded');
    broker.send('q', [{ payload: 0, size: 256 * 1024 }]);
    broker.send('q', [1, 2, 3].map(() => ({ payload: 0, size: 256 * 1024 })));
    expectCode(() => broker.send('q', [{ payload: 0, size: 1 }]), 'QuotaExceeded');
    expect(broker.runtime('q').sizeInBytes).toBe(1024 * 1024);
  });

  it('refuses sends to subscriptions, dead-letter queues, unknown and disabled entities', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.createTopic('t');
    broker.createSubscription('t', 's');
    expectCode(() => broker.send('t/Subscriptions/s', [msg(1)]), 'InvalidOperation');
    expectCode(() => broker.send('q/$DeadLetterQueue', [msg(1)]), 'InvalidOperation');
    expectCode(() => broker.send('nope', [msg(1)]), 'EntityNotFound');
    broker.updateQueue('q', { status: 'SendDisabled' });
    expectCode(() => broker.send('q', [msg(1)]), 'EntityDisabled');
    broker.updateQueue('q', { status: 'ReceiveDisabled' });
    expect(broker.send('q', [msg(1)])).toEqual([1]);
  });

  it('requires a session id on a session queue and a partition key equal to it', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true, enablePartitioning: true });
    expectCode(() => broker.send('s', [msg(1)]), 'InvalidOperation');
    expectCode(() => broker.send('s', [msg(1, { sessionId: 'a', partitionKey: 'b' })]), 'InvalidOperation');
    expect(broker.send('s', [msg(1, { sessionId: 'a', partitionKey: 'a' })])).toEqual([1]);
  });

  it('resolves paths case-insensitively', () => {
    const { broker } = setup();
    broker.createQueue('Orders');
    broker.send('ORDERS', [msg(1)]);
    expect(broker.runtime('orders').activeMessageCount).toBe(1);
    expect(broker.getQueue('oRdErS').name).toBe('Orders');
  });
});
