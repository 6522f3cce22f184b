import { describe, expect, it } from 'vitest';
import { expectCode, msg, payloads, setup } from './helpers.js';

const TWO_MINUTES = 120_000;

function withQueue(props = {}) {
  const s = setup();
  s.broker.createQueue('q', props);
  return s;
}

describe('transactions', () => {
  it('keeps sends invisible until commit, then stores them in order', () => {
    const { broker } = withQueue();
    const txn = broker.declareTransaction();
    expect(broker.send('q', [msg(1), msg(2)], { transactionId: txn })).toEqual([]);
    expect(broker.runtime('q').activeMessageCount).toBe(0);
    expect(broker.peek('q', 0, 10)).toEqual([]);
    broker.dischargeTransaction(txn, false);
    expect(payloads(broker.peek('q', 0, 10))).toEqual([1, 2]);
  });

  it('drops sends on rollback', () => {
    const { broker } = withQueue();
    const txn = broker.declareTransaction();
    broker.send('q', [msg(1)], { transactionId: txn });
    broker.dischargeTransaction(txn, true);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('checks a send when it is made', () => {
    const { broker } = withQueue();
    const txn = broker.declareTransaction();
    expectCode(() => broker.send('q', [msg(1, { size: 300 * 1024 })], { transactionId: txn }), 'MessageSizeExceeded');
  });

  it('applies complete, abandon, defer and dead-letter only at commit; the lock stays held meanwhile', () => {
    const { broker } = withQueue({ lockDurationMs: 60_000 });
    broker.send('q', [msg('c'), msg('a'), msg('d'), msg('x')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [c, a, d, x] = r.receive(4);
    const txn = broker.declareTransaction();
    const o = { transactionId: txn };
    broker.complete('q', c!.lockToken!, o);
    broker.abandon('q', a!.lockToken!, { k: 'v' }, o);
    broker.defer('q', d!.lockToken!, undefined, o);
    broker.deadLetter('q', x!.lockToken!, { reason: 'r' }, o);
    // Nothing happened yet: all four are still locked, none can be received again.
    expect(broker.runtime('q').activeMessageCount).toBe(4);
    expect(r.receive(4)).toEqual([]);
    broker.dischargeTransaction(txn, false);
    const rt = broker.runtime('q');
    expect(rt.activeMessageCount).toBe(2); // the abandoned and the deferred one
    expect(rt.deadLetterMessageCount).toBe(1);
    const [again] = r.receive(4);
    expect(again!.payload).toBe('a');
    expect(again!.deliveryCount).toBe(1);
    expect(again!.propertyChanges?.get('k')).toBe('v');
    expect(broker.receiveDeferred('q', [d!.sequenceNumber], 'peekLock')).toHaveLength(1);
  });

  it('rollback leaves settled messages locked and untouched until the lock expires', () => {
    const { broker, advance } = withQueue({ lockDurationMs: 30_000 });
    broker.send('q', [msg(1)]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [m] = r.receive(1);
    const txn = broker.declareTransaction();
    broker.complete('q', m!.lockToken!, { transactionId: txn });
    broker.dischargeTransaction(txn, true);
    expect(r.receive(1)).toEqual([]);
    // Still locked: the client may settle it again outside the transaction.
    broker.abandon('q', m!.lockToken!);
    const [again] = r.receive(1);
    expect(again!.deliveryCount).toBe(1);
    void advance;
  });

  it('a rolled-back settlement leaves the delivery count as it was, and the lock expires as usual', () => {
    const { broker, advance } = withQueue({ lockDurationMs: 30_000 });
    broker.send('q', [msg(1)]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [m] = r.receive(1);
    const txn = broker.declareTransaction();
    broker.abandon('q', m!.lockToken!, undefined, { transactionId: txn });
    broker.dischargeTransaction(txn, true);
    expect(r.receive(1)).toEqual([]);
    advance(30_000);
    const [again] = r.receive(1);
    expect(again!.deliveryCount).toBe(1); // the lock expiry's count, not the abandon's
  });

  it('rolls everything back when a lock expired before the commit', () => {
    const { broker, advance } = withQueue({ lockDurationMs: 10_000 });
    broker.send('q', [msg(1)]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    const txn = broker.declareTransaction();
    broker.send('q', [msg(2)], { transactionId: txn });
    broker.complete('q', m!.lockToken!, { transactionId: txn });
    advance(10_000);
    expectCode(() => broker.dischargeTransaction(txn, false), 'TransactionRollback');
    // The send was not stored either: all or nothing.
    expect(payloads(broker.peek('q', 0, 10))).toEqual([1]);
  });

  it('refuses a settlement whose lock is not held, at once', () => {
    const { broker } = withQueue();
    const txn = broker.declareTransaction();
    expectCode(() => broker.complete('q', '00000000-0000-0000-0000-000000000000', { transactionId: txn }), 'MessageLockLost');
  });

  it('refuses settling the same message twice in one transaction', () => {
    const { broker } = withQueue();
    broker.send('q', [msg(1)]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    const txn = broker.declareTransaction();
    broker.complete('q', m!.lockToken!, { transactionId: txn });
    expectCode(() => broker.complete('q', m!.lockToken!, { transactionId: txn }), 'MessageLockLost');
    broker.dischargeTransaction(txn, false);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('is bound to one queue or topic', () => {
    const { broker } = withQueue();
    broker.createQueue('other');
    const txn = broker.declareTransaction();
    broker.send('q', [msg(1)], { transactionId: txn });
    expectCode(() => broker.send('other', [msg(2)], { transactionId: txn }), 'InvalidOperation');
    // The transaction is broken from then on: further work is refused and the commit rolls back.
    expectCode(() => broker.send('q', [msg(3)], { transactionId: txn }), 'InvalidOperation');
    expectCode(() => broker.dischargeTransaction(txn, false), 'TransactionRollback');
    expect(broker.runtime('q').activeMessageCount).toBe(0);
    expect(broker.runtime('other').activeMessageCount).toBe(0);
  });

  it('counts a topic and its subscriptions as one entity', () => {
    const { broker } = setup();
    broker.createTopic('t');
    broker.createSubscription('t', 's');
    broker.send('t', [msg(1)]);
    const [m] = broker.openReceiver('t/Subscriptions/s', { mode: 'peekLock' }).receive(1);
    const txn = broker.declareTransaction();
    broker.complete('t/Subscriptions/s', m!.lockToken!, { transactionId: txn });
    broker.send('t', [msg(2)], { transactionId: txn });
    broker.dischargeTransaction(txn, false);
    expect(payloads(broker.peek('t/Subscriptions/s', 0, 10))).toEqual([2]);
  });

  it('sends to another entity through the transaction entity (send via)', () => {
    const { broker } = withQueue();
    broker.createQueue('b');
    broker.send('q', [msg('in')]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    const txn = broker.declareTransaction();
    broker.complete('q', m!.lockToken!, { transactionId: txn });
    broker.send('b', [msg('out')], { transactionId: txn, via: 'q' });
    expect(broker.runtime('b').activeMessageCount).toBe(0);
    broker.dischargeTransaction(txn, false);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
    expect(payloads(broker.peek('b', 0, 10))).toEqual(['out']);
  });

  it('refuses a send via an entity other than the transaction entity', () => {
    const { broker } = withQueue();
    broker.createQueue('b');
    broker.createQueue('c');
    const txn = broker.declareTransaction();
    broker.send('b', [msg(1)], { transactionId: txn, via: 'q' });
    expectCode(() => broker.send('b', [msg(2)], { transactionId: txn, via: 'c' }), 'InvalidOperation');
  });

  it('answers unknown ids with TransactionUnknown, also once discharged', () => {
    const { broker } = withQueue();
    expectCode(() => broker.dischargeTransaction('txn:nope', false), 'TransactionUnknown');
    expectCode(() => broker.send('q', [msg(1)], { transactionId: 'txn:nope' }), 'TransactionUnknown');
    const txn = broker.declareTransaction();
    broker.dischargeTransaction(txn, false);
    expectCode(() => broker.dischargeTransaction(txn, false), 'TransactionUnknown');
  });

  it('rolls back a transaction not discharged within 2 minutes', () => {
    const wakeups: number[] = [];
    const { broker, advance } = setup((at) => wakeups.push(at));
    broker.createQueue('q');
    broker.send('q', [msg(1)]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    const txn = broker.declareTransaction();
    broker.send('q', [msg(2)], { transactionId: txn });
    broker.complete('q', m!.lockToken!, { transactionId: txn });
    advance(TWO_MINUTES - 1);
    broker.send('q', [msg(3)], { transactionId: txn }); // still alive
    advance(1);
    expectCode(() => broker.send('q', [msg(4)], { transactionId: txn }), 'TransactionTimeout');
    expectCode(() => broker.dischargeTransaction(txn, false), 'TransactionTimeout');
    expect(payloads(broker.peek('q', 0, 10))).toEqual([1]);
    // Once discharged the id is forgotten.
    expectCode(() => broker.dischargeTransaction(txn, false), 'TransactionUnknown');
  });

  it('a discharge cancels the timeout', () => {
    const { broker } = withQueue();
    const txn = broker.declareTransaction();
    const due = broker.nextDueAt();
    broker.dischargeTransaction(txn, false);
    expect(due).toBeDefined();
    expect(broker.nextDueAt()).toBeUndefined();
  });

  it('commits scheduled messages and session settlements', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg(1, { sessionId: 'a' })]);
    const r = broker.acceptSession('s', 'a', { mode: 'peekLock' });
    const [m] = r.receive(1);
    const txn = broker.declareTransaction();
    broker.complete('s', m!.lockToken!, { sessionId: 'a', transactionId: txn });
    const [seq] = broker.schedule('s', [msg(2, { sessionId: 'a', scheduledEnqueueTimeUtc: Date.UTC(2030, 0, 1) })], { transactionId: txn });
    expect(seq).toBeGreaterThan(m!.sequenceNumber);
    expect(broker.runtime('s').scheduledMessageCount).toBe(0);
    broker.dischargeTransaction(txn, false);
    expect(broker.runtime('s').scheduledMessageCount).toBe(1);
    // The number given at scheduling is the message's, so it can be cancelled by it.
    broker.cancelScheduled('s', [seq!]);
    expect(broker.runtime('s').scheduledMessageCount).toBe(0);
    expect(broker.runtime('s').activeMessageCount).toBe(0);
  });
});
