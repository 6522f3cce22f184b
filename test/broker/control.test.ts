import { describe, expect, it } from 'vitest';
import { Broker, type BrokerEvent, FakeClock } from '../../src/broker/index.js';
import { expectCode, msg, payloads, setup, T0 } from './helpers.js';

describe('control plane verbs of the core', () => {
  it('purge empties the main queue, its dead-letter queue, locks and sessions; sequence numbers go on unless restarted', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b'), msg('c')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [locked] = r.receive(1);
    broker.deadLetter('q', locked!.lockToken!);
    expect(broker.purge('q')).toBe(3);
    expect(broker.runtime('q')).toMatchObject({ activeMessageCount: 0, deadLetterMessageCount: 0, totalMessageCount: 0 });
    expect(broker.send('q', [msg('d')])).toEqual([4]);
    // The open receiver survives a purge.
    expect(payloads(r.receive(5))).toEqual(['d']);
    broker.purge('q', { restart: true });
    expect(broker.send('q', [msg('e')])).toEqual([1]);
  });

  it('purge with restart forgets duplicate detection history', () => {
    const { broker } = setup();
    broker.createQueue('q', { requiresDuplicateDetection: true });
    broker.send('q', [msg('a', { messageId: 'm1' })]);
    broker.purge('q', { restart: true });
    broker.send('q', [msg('a', { messageId: 'm1' })]);
    expect(broker.runtime('q').activeMessageCount).toBe(1);
  });

  it('purging a topic drops its schedule and empties every subscription; session holders lose their lock', () => {
    const { broker } = setup();
    broker.createTopic('t');
    broker.createSubscription('t', 's1');
    broker.createSubscription('t', 's2', { requiresSession: true });
    broker.send('t', [msg('x', { sessionId: 'a' }), msg('later', { sessionId: 'a', scheduledEnqueueTimeUtc: T0 + 60_000 })]);
    const lost: string[] = [];
    const sr = broker.acceptSession('t/Subscriptions/s2', 'a', { mode: 'peekLock', onSessionLockLost: (e) => lost.push(e.code) });
    broker.setSessionState('t/Subscriptions/s2', 'a', new Uint8Array([1]));
    expect(broker.purge('t')).toBe(3);
    expect(lost).toEqual(['SessionLockLost']);
    expect(sr.closed).toBe(true);
    expect(broker.inspectSessions('t/Subscriptions/s2')).toEqual([]);
    expect(broker.getTopic('t').runtime.scheduledMessageCount).toBe(0);
    expect(broker.runtime('t/Subscriptions/s1').totalMessageCount).toBe(0);
  });

  it('expireMessageLocks gives locked messages back counting the attempt, one by number or all', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [a, b] = r.receive(2);
    expect(broker.expireMessageLocks('q', 2)).toBe(1);
    expectCode(() => broker.complete('q', b!.lockToken!), 'MessageLockLost');
    broker.complete('q', a!.lockToken!);
    const [again] = r.receive(1);
    expect(again).toMatchObject({ payload: 'b', deliveryCount: 1 });
    expect(broker.expireMessageLocks('q')).toBe(1);
    expect(broker.expireMessageLocks('q')).toBe(0);
  });

  it('expireSessionLock ends a session lock at once so another receiver can take the session', () => {
    const { broker } = setup();
    broker.createQueue('q', { requiresSession: true });
    broker.send('q', [msg('a', { sessionId: 's' })]);
    const first = broker.acceptSession('q', 's', { mode: 'peekLock' });
    first.receive(1);
    expect(broker.expireSessionLock('q', 's')).toBe(true);
    expect(broker.expireSessionLock('q', 's')).toBe(false);
    const second = broker.acceptSession('q', 's', { mode: 'peekLock', owner: 'conn-2' });
    expect(broker.inspectSessions('q')).toEqual([
      { sessionId: 's', active: 1, deferred: 0, scheduled: 0, locked: 0, state: null, lockedUntilUtc: T0 + 60_000, lockHolder: 'conn-2' },
    ]);
    expect(second.receive(1)[0]).toMatchObject({ payload: 'a', deliveryCount: 1 });
  });

  it('inspection reads every state without locking or counting a delivery', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b'), msg('c', { scheduledEnqueueTimeUtc: T0 + 1000 })]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [a] = r.receive(1);
    const before = broker.inspectMessages('q');
    expect(before.map((m) => [m.payload, m.state, m.lockToken !== undefined])).toEqual([
      ['a', 'active', true],
      ['b', 'active', false],
      ['c', 'scheduled', false],
    ]);
    expect(broker.inspectMessages('q').map((m) => m.deliveryCount)).toEqual([0, 0, 0]);
    broker.deadLetter('q', a!.lockToken!, { reason: 'bad' });
    expect(broker.inspectMessages('q/$DeadLetterQueue')).toMatchObject([{ payload: 'a', deadLetterReason: 'bad' }]);
    expect(payloads(r.receive(5))).toEqual(['b']);
    expectCode(() => broker.inspectMessages('nope'), 'EntityNotFound');
  });
});

describe('journal events', () => {
  it('reports enqueue, delivery, settlement, expiry, lock loss and session locks in order, on the broker clock', () => {
    const clock = new FakeClock(T0);
    const events: BrokerEvent[] = [];
    const broker = new Broker({ clock, onEvent: (e) => events.push(e) });
    broker.createQueue('q', { deadLetteringOnMessageExpiration: true, lockDurationMs: 1000 });
    broker.createQueue('s', { requiresSession: true });
    broker.send('q', [msg('a', { messageId: 'A' }), msg('b', { timeToLiveMs: 5000 })]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [a] = r.receive(1);
    broker.abandon('q', a!.lockToken!);
    const [again] = r.receive(1);
    clock.advance(1000);
    broker.tick();
    const [third] = r.receive(1);
    broker.complete('q', third!.lockToken!);
    clock.advance(4000);
    broker.tick();
    broker.send('s', [msg('x', { sessionId: 'S' })]);
    broker.acceptSession('s', 'S', { mode: 'peekLock' }).close();
    expect(again).toBeDefined();
    const shape = events.map((e) => [e.type, e.entity, e.sequenceNumber ?? e.sessionId, e.detail]);
    expect(shape).toEqual([
      ['enqueued', 'q', 1, 'send'],
      ['enqueued', 'q', 2, 'send'],
      ['delivered', 'q', 1, undefined],
      ['abandoned', 'q', 1, undefined],
      ['delivered', 'q', 1, undefined],
      ['lockLost', 'q', 1, undefined],
      ['delivered', 'q', 1, undefined],
      ['completed', 'q', 1, undefined],
      ['expired', 'q', 2, undefined],
      ['deadlettered', 'q/$DeadLetterQueue', 2, 'TTLExpiredException'],
      ['enqueued', 's', 1, 'send'],
      ['sessionAccepted', 's', 'S', undefined],
      ['sessionReleased', 's', 'S', undefined],
    ]);
    expect(events[0]).toMatchObject({ at: T0, messageId: 'A', deliveryCount: 0 });
    expect(events[6]).toMatchObject({ at: T0 + 1000, deliveryCount: 2 });
  });
});
