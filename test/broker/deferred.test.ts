import { describe, expect, it } from 'vitest';
import { expectCode, msg, setup } from './helpers.js';

describe('defer', () => {
  it('hides the message from receivers; it comes back only by sequence number', () => {
    const { broker } = setup();
    broker.createQueue('q');
    const [seq] = broker.send('q', [msg('a')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    broker.defer('q', r.receive(1)[0]!.lockToken!, { why: 'later' });
    expect(r.receive(1)).toEqual([]);
    expect(broker.peek('q', 0, 1)[0]!.state).toBe('deferred');
    expect(broker.runtime('q').activeMessageCount).toBe(1);
    const [m] = broker.receiveDeferred('q', [seq!], 'peekLock');
    expect(m).toMatchObject({ payload: 'a', state: 'deferred' });
    expect(m!.propertyChanges?.get('why')).toBe('later');
    broker.complete('q', m!.lockToken!);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('abandoning a received deferred message keeps it deferred', () => {
    const { broker } = setup();
    broker.createQueue('q');
    const [seq] = broker.send('q', [msg('a')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    broker.defer('q', r.receive(1)[0]!.lockToken!);
    broker.abandon('q', broker.receiveDeferred('q', [seq!], 'peekLock')[0]!.lockToken!);
    expect(r.receive(1)).toEqual([]);
    const [again] = broker.receiveDeferred('q', [seq!], 'receiveAndDelete');
    expect(again!.deliveryCount).toBe(2);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('a deferral counts as a delivery; each later abandon or defer adds one; the dead-lettered copy keeps the count', () => {
    const { broker } = setup();
    broker.createQueue('q', { maxDeliveryCount: 10 });
    const [seq] = broker.send('q', [msg('a')]);
    const first = broker.openReceiver('q', { mode: 'peekLock' }).receive(1)[0]!;
    expect(first.deliveryCount).toBe(0);
    broker.defer('q', first.lockToken!);
    const counts: number[] = [];
    let m = broker.receiveDeferred('q', [seq!], 'peekLock')[0]!;
    counts.push(m.deliveryCount);
    broker.defer('q', m.lockToken!);
    m = broker.receiveDeferred('q', [seq!], 'peekLock')[0]!;
    counts.push(m.deliveryCount);
    broker.abandon('q', m.lockToken!);
    m = broker.receiveDeferred('q', [seq!], 'peekLock')[0]!;
    counts.push(m.deliveryCount);
    expect(counts).toEqual([1, 2, 3]);
    broker.deadLetter('q', m.lockToken!);
    expect(broker.peek('q/$DeadLetterQueue', 0, 1)[0]!.deliveryCount).toBe(3);
  });

  it('MessageNotFound for numbers that are missing or not deferred', () => {
    const { broker } = setup();
    broker.createQueue('q');
    const [seq] = broker.send('q', [msg('a')]);
    expectCode(() => broker.receiveDeferred('q', [seq!], 'peekLock'), 'MessageNotFound');
    expectCode(() => broker.receiveDeferred('q', [99], 'peekLock'), 'MessageNotFound');
    expectCode(() => broker.receiveDeferred('q', [-1], 'peekLock'), 'ArgumentError');
  });
});
