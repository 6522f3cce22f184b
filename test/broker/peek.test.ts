import { describe, expect, it } from 'vitest';
import { expectCode, msg, setup, T0 } from './helpers.js';

describe('peek', () => {
  it('returns active, deferred and scheduled messages from a sequence number, without locking', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b'), msg('c', { scheduledEnqueueTimeUtc: T0 + 1000 }), msg('d')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    broker.defer('q', r.receive(1)[0]!.lockToken!);
    const all = broker.peek('q', 0, 10);
    expect(all.map((m) => [m.sequenceNumber, m.state])).toEqual([
      [1, 'deferred'],
      [2, 'active'],
      [3, 'scheduled'],
      [4, 'active'],
    ]);
    expect(all.every((m) => m.lockToken === undefined)).toBe(true);
    expect(broker.peek('q', 3, 1).map((m) => m.payload)).toEqual(['c']);
    expect(broker.peek('q', 5, 10)).toEqual([]);
    expect(r.receive(5).map((m) => m.payload)).toEqual(['b', 'd']);
  });

  it('peeks one session, or the whole session queue', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg(1, { sessionId: 'a' }), msg(2, { sessionId: 'b' }), msg(3, { sessionId: 'a' })]);
    expect(broker.peek('s', 0, 10, 'a').map((m) => m.payload)).toEqual([1, 3]);
    expect(broker.peek('s', 0, 10).map((m) => m.payload)).toEqual([1, 2, 3]);
    expect(broker.peek('s', 0, 10, 'zzz')).toEqual([]);
  });

  it('stays correct across many removals and out-of-order dead letters', () => {
    const { broker } = setup();
    broker.createQueue('q', { maxDeliveryCount: 1 });
    const n = 3000;
    broker.send('q', Array.from({ length: n }, (_, i) => msg(i)));
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const got = r.receive(n);
    // Abandon in reverse: dead letters arrive in descending sequence order.
    for (let i = n - 1; i >= 0; i--) {
      if (i % 3 === 0) broker.abandon('q', got[i]!.lockToken!);
      else broker.complete('q', got[i]!.lockToken!);
    }
    const dead = broker.peek('q/$DeadLetterQueue', 0, n);
    expect(dead.map((m) => m.sequenceNumber)).toEqual(Array.from({ length: n / 3 }, (_, i) => 1 + i * 3));
    expect(broker.peek('q/$DeadLetterQueue', 1500, 2).map((m) => m.sequenceNumber)).toEqual([1501, 1504]);
    const dlq = broker.openReceiver('q/$DeadLetterQueue', { mode: 'receiveAndDelete' });
    expect(dlq.receive(3).map((m) => m.sequenceNumber)).toEqual([1, 4, 7]);
  });

  it('validates its arguments', () => {
    const { broker } = setup();
    broker.createQueue('q');
    expectCode(() => broker.peek('q', -1, 1), 'ArgumentError');
    expectCode(() => broker.peek('q', 0, Number.NaN), 'ArgumentError');
    expectCode(() => broker.peek('nope', 0, 1), 'EntityNotFound');
  });

  it('deleteMessages purges the oldest active messages, optionally before a time or per session', () => {
    const { broker, clock } = setup();
    broker.createQueue('q');
    broker.send('q', [msg(1), msg(2)]);
    clock.advance(100);
    broker.send('q', [msg(3)]);
    expect(broker.deleteMessages('q', { count: 10, enqueuedBeforeUtc: T0 + 50 })).toBe(2);
    expect(broker.peek('q', 0, 10).map((m) => m.payload)).toEqual([3]);
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg('a', { sessionId: 'a' }), msg('b', { sessionId: 'b' })]);
    expect(broker.deleteMessages('s', { count: 5, sessionId: 'b' })).toBe(1);
    expect(broker.listSessions('s', { skip: 0, top: 5 })).toEqual(['a']);
  });
});
