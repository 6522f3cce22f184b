import { describe, expect, it } from 'vitest';
import type { BrokerError, SessionReceiver } from '../../src/broker/index.js';
import { expectCode, msg, payloads, setup, T0 } from './helpers.js';

function next(broker: ReturnType<typeof setup>['broker'], timeoutMs = 0) {
  const calls: { error?: BrokerError; receiver?: SessionReceiver }[] = [];
  const cancel = broker.acceptNextSession('s', { mode: 'peekLock', timeoutMs }, (error, receiver) => calls.push({ error, receiver }));
  return { calls, cancel };
}

describe('sessions', () => {
  it('keeps per-session FIFO order and only delivers the locked session', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg('a1', { sessionId: 'a' }), msg('b1', { sessionId: 'b' }), msg('a2', { sessionId: 'a' })]);
    const r = broker.acceptSession('s', 'a', { mode: 'peekLock' });
    const got = r.receive(10);
    expect(payloads(got)).toEqual(['a1', 'a2']);
    broker.abandon('s', got[0]!.lockToken!, undefined, { sessionId: 'a' });
    expect(payloads(r.receive(10))).toEqual(['a1']);
  });

  it('a named session cannot be accepted twice; closing releases it at once', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    const r = broker.acceptSession('s', 'a', { mode: 'peekLock' });
    expectCode(() => broker.acceptSession('s', 'a', { mode: 'peekLock' }), 'SessionCannotBeLocked');
    r.close();
    expect(broker.acceptSession('s', 'a', { mode: 'peekLock' }).sessionId).toBe('a');
  });

  it('accept-next picks a session with messages and no lock, and times out through the clock', () => {
    const { broker, advance } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg(1, { sessionId: 'a' }), msg(2, { sessionId: 'b' })]);
    broker.acceptSession('s', 'a', { mode: 'peekLock' });
    const first = next(broker, 1000);
    expect(first.calls).toHaveLength(1);
    expect(first.calls[0]!.receiver!.sessionId).toBe('b');
    const waiting = next(broker, 1000);
    expect(waiting.calls).toEqual([]);
    expect(broker.nextDueAt()).toBe(T0 + 1000);
    advance(999);
    expect(waiting.calls).toEqual([]);
    advance(1);
    expect(waiting.calls).toHaveLength(1);
    expect(waiting.calls[0]!.error!.code).toBe('Timeout');
  });

  it('waiters are served in order when a send or a released lock makes a session available', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    const w1 = next(broker, 60_000);
    const w2 = next(broker, 60_000);
    const w3 = next(broker, 60_000);
    w3.cancel();
    broker.send('s', [msg(1, { sessionId: 'x' })]);
    expect(w1.calls[0]!.receiver!.sessionId).toBe('x');
    expect(w2.calls).toEqual([]);
    w1.calls[0]!.receiver!.close();
    expect(w2.calls[0]!.receiver!.sessionId).toBe('x');
    broker.send('s', [msg(2, { sessionId: 'y' })]);
    expect(w3.calls).toEqual([]);
  });

  it('session lock expiry returns its messages in order with deliveryCount + 1 and closes the receiver', () => {
    const { broker, advance } = setup();
    broker.createQueue('s', { requiresSession: true, lockDurationMs: 10_000 });
    broker.send('s', [msg('a1', { sessionId: 'a' }), msg('a2', { sessionId: 'a' })]);
    const lost: string[] = [];
    const r = broker.acceptSession('s', 'a', { mode: 'peekLock', onSessionLockLost: (e) => lost.push(e.code) });
    const got = r.receive(2);
    advance(10_000);
    expect(r.closed).toBe(true);
    expect(lost).toEqual(['SessionLockLost']);
    expectCode(() => r.receive(1), 'SessionLockLost');
    expectCode(() => broker.complete('s', got[0]!.lockToken!), 'SessionLockLost');
    expectCode(() => broker.complete('s', got[0]!.lockToken!, { sessionId: 'a' }), 'SessionLockLost');
    const again = broker.acceptSession('s', 'a', { mode: 'peekLock' }).receive(5);
    expect(again.map((m) => [m.payload, m.deliveryCount])).toEqual([
      ['a1', 1],
      ['a2', 1],
    ]);
  });

  it('renewing the session lock keeps it; session ops need the session locked now', () => {
    const { broker, advance, clock } = setup();
    broker.createQueue('s', { requiresSession: true, lockDurationMs: 10_000 });
    const r = broker.acceptSession('s', 'a', { mode: 'peekLock' });
    advance(9_000);
    expect(r.renewSessionLock()).toBe(clock.now() + 10_000);
    advance(9_000);
    expect(r.closed).toBe(false);
    expect(broker.renewSessionLock('s', 'a')).toBe(clock.now() + 10_000);
    r.close();
    expectCode(() => broker.renewSessionLock('s', 'a'), 'SessionLockLost');
    expectCode(() => broker.getSessionState('s', 'a'), 'SessionLockLost');
    expectCode(() => broker.setSessionState('s', 'a', null), 'SessionLockLost');
  });

  it('session state survives the lock and is listed until cleared and empty', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg(1, { sessionId: 'm' })]);
    const r = broker.acceptSession('s', 'z', { mode: 'peekLock' });
    broker.setSessionState('s', 'z', new Uint8Array([1, 2, 3]));
    r.close();
    expect(broker.listSessions('s', { skip: 0, top: 10 })).toEqual(['m', 'z']);
    expect(broker.listSessions('s', { skip: 1, top: 10 })).toEqual(['z']);
    expect(broker.listSessions('s', { skip: 0, top: 10, lastUpdatedAfter: T0 - 1 })).toEqual(['z']);
    const again = broker.acceptSession('s', 'z', { mode: 'peekLock' });
    expect([...broker.getSessionState('s', 'z')!]).toEqual([1, 2, 3]);
    broker.setSessionState('s', 'z', null);
    again.close();
    expect(broker.listSessions('s', { skip: 0, top: 10 })).toEqual(['m']);
  });

  it('closing a session receiver returns its locked messages with deliveryCount + 1', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg('a1', { sessionId: 'a' })]);
    const r = broker.acceptSession('s', 'a', { mode: 'peekLock' });
    const [m] = r.receive(1);
    r.close();
    expectCode(() => broker.complete('s', m!.lockToken!), 'SessionLockLost');
    const [again] = broker.acceptSession('s', 'a', { mode: 'peekLock' }).receive(1);
    expect(again!.deliveryCount).toBe(1);
  });

  it('session messages: receive-deferred needs the session; message lock renewal is refused', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    const [seq] = broker.send('s', [msg('a1', { sessionId: 'a' })]);
    const r = broker.acceptSession('s', 'a', { mode: 'peekLock' });
    const [m] = r.receive(1);
    expectCode(() => broker.renewLock('s', [m!.lockToken!]), 'InvalidOperation');
    broker.defer('s', m!.lockToken!, undefined, { sessionId: 'a' });
    expectCode(() => broker.receiveDeferred('s', [seq!], 'peekLock', 'b'), 'SessionLockLost');
    expectCode(() => broker.receiveDeferred('s', [seq!], 'peekLock'), 'InvalidOperation');
    const [d] = broker.receiveDeferred('s', [seq!], 'peekLock', 'a');
    expect(d!.lockedUntilUtc).toBe(r.sessionLockedUntilUtc);
    broker.complete('s', d!.lockToken!, { sessionId: 'a' });
    expect(broker.runtime('s').totalMessageCount).toBe(0);
  });
});
