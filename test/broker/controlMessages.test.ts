import { describe, expect, it } from 'vitest';
import { expectCode, msg, payloads, setup } from './helpers.js';

describe('one message moved by hand (control plane)', () => {
  it('removeMessage deletes one message of a session queue and keeps the session books straight', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg('a', { sessionId: 'x' }), msg('b', { sessionId: 'x' }), msg('c', { sessionId: 'y' })]);
    broker.removeMessage('s', 1);
    expect(broker.inspectSessions('s').map((r) => [r.sessionId, r.active])).toEqual([['x', 1], ['y', 1]]);
    broker.removeMessage('s', 3);
    // A session with nothing left and no state is gone, as after a receive-and-delete.
    expect(broker.inspectSessions('s').map((r) => r.sessionId)).toEqual(['x']);
    const r = broker.acceptSession('s', 'x', { mode: 'peekLock' });
    expect(payloads(r.receive(5))).toEqual(['b']);
    expectCode(() => broker.removeMessage('s', 3), 'MessageNotFound');
    expectCode(() => broker.removeMessage('s', -1), 'ArgumentError');
  });

  it('removeMessage on a locked message ends the lock: settling it fails', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b')]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    broker.removeMessage('q', 1);
    expectCode(() => broker.complete('q', m!.lockToken!), 'MessageLockLost');
    expect(broker.runtime('q').activeMessageCount).toBe(1);
  });

  it('resubmitDeadLettered moves a message back, unstamped and with a fresh delivery count', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a', { applicationProperties: { k: 1 } }), msg('b')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [m] = r.receive(1);
    broker.deadLetter('q', m!.lockToken!, { reason: 'why', description: 'because' });
    const [dead] = broker.inspectMessages('q/$DeadLetterQueue');
    expect(dead).toMatchObject({ deadLetterReason: 'why', deadLetterErrorDescription: 'because' });
    expect(dead!.propertyChanges?.get('DeadLetterReason')).toBe('why');
    expectCode(() => broker.resubmitDeadLettered('q/$DeadLetterQueue', 1), 'ArgumentError');
    expect(broker.resubmitDeadLettered('q', 1)).toBe(3);
    expectCode(() => broker.resubmitDeadLettered('q', 1), 'MessageNotFound');
    expect(broker.runtime('q')).toMatchObject({ activeMessageCount: 2, deadLetterMessageCount: 0 });
    const again = r.receive(5);
    expect(payloads(again)).toEqual(['b', 'a']);
    expect(again[1]).toMatchObject({ sequenceNumber: 3, deliveryCount: 0, deadLetterReason: undefined });
    expect(again[1]!.deadLetterErrorDescription).toBeUndefined();
    expect(again[1]!.propertyChanges).toBeUndefined();
    expect(again[1]!.applicationProperties).toEqual({ k: 1 });
  });

  it('resubmit into a session entity needs a session id; counts report deferred and locked apart', () => {
    const { broker } = setup();
    broker.createTopic('t');
    broker.createSubscription('t', 's', { requiresSession: true });
    broker.send('t', [msg('no session')]);
    // Dead-lettered on arrival: SessionIdIsMissing.
    expectCode(() => broker.resubmitDeadLettered('t/Subscriptions/s', 1), 'InvalidOperation');
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b'), msg('c')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [first, second] = r.receive(2);
    broker.defer('q', first!.lockToken!);
    expect(broker.countHeld('q')).toEqual({ deferred: 1, locked: 1 });
    broker.complete('q', second!.lockToken!);
    expect(broker.countHeld('q')).toEqual({ deferred: 1, locked: 0 });
  });
});
