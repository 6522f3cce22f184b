import { describe, expect, it } from 'vitest';
import { expectCode, msg, payloads, setup, T0 } from './helpers.js';

describe('schedule', () => {
  it('assigns the sequence number at once and keeps the message invisible until due', () => {
    const { broker, advance } = setup();
    broker.createQueue('q');
    const [seq] = broker.schedule('q', [msg('later', { scheduledEnqueueTimeUtc: T0 + 5000 })]);
    expect(seq).toBe(1);
    expect(broker.send('q', [msg('now')])).toEqual([2]);
    const r = broker.openReceiver('q', { mode: 'receiveAndDelete' });
    expect(payloads(r.receive(5))).toEqual(['now']);
    expect(broker.runtime('q')).toMatchObject({ scheduledMessageCount: 1, activeMessageCount: 0 });
    expect(broker.peek('q', 0, 5)[0]).toMatchObject({ state: 'scheduled', scheduledEnqueueTimeUtc: T0 + 5000 });
    expect(broker.nextDueAt()).toBe(T0 + 5000);
    advance(4999);
    expect(r.receive(5)).toEqual([]);
    advance(1);
    const [m] = r.receive(5);
    expect(m).toMatchObject({ payload: 'later', sequenceNumber: 1, enqueuedTimeUtc: T0 + 5000, state: 'scheduled' });
  });

  it('send with a future scheduledEnqueueTimeUtc schedules too; a past one enqueues now', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('f', { scheduledEnqueueTimeUtc: T0 + 1 }), msg('p', { scheduledEnqueueTimeUtc: T0 - 1 })]);
    expect(broker.runtime('q')).toMatchObject({ scheduledMessageCount: 1, activeMessageCount: 1 });
  });

  it('cancels by sequence number and ignores unknown numbers', () => {
    const { broker, advance } = setup();
    broker.createQueue('q');
    const seqs = broker.schedule('q', [msg('a', { scheduledEnqueueTimeUtc: T0 + 10 }), msg('b', { scheduledEnqueueTimeUtc: T0 + 10 })]);
    broker.cancelScheduled('q', [seqs[0]!, 999]);
    advance(10);
    expect(payloads(broker.openReceiver('q', { mode: 'receiveAndDelete' }).receive(5))).toEqual(['b']);
    expectCode(() => broker.cancelScheduled('q', [Number.NaN]), 'ArgumentError');
  });

  it('requires the schedule time and wakes the host when the earliest instant moves earlier', () => {
    const wakeups: number[] = [];
    const { broker } = setup((at) => wakeups.push(at));
    broker.createQueue('q');
    expectCode(() => broker.schedule('q', [msg('x')]), 'ArgumentError');
    broker.schedule('q', [msg('a', { scheduledEnqueueTimeUtc: T0 + 5000 })]);
    broker.schedule('q', [msg('b', { scheduledEnqueueTimeUtc: T0 + 9000 })]);
    broker.schedule('q', [msg('c', { scheduledEnqueueTimeUtc: T0 + 1000 })]);
    expect(wakeups).toEqual([T0 + 5000, T0 + 1000]);
  });

  it('topics hold scheduled messages and fan them out when due', () => {
    const { broker, advance } = setup();
    broker.createTopic('t');
    broker.createSubscription('t', 's1');
    const [seq] = broker.schedule('t', [msg('x', { scheduledEnqueueTimeUtc: T0 + 100 })]);
    expect(broker.getTopic('t').runtime.scheduledMessageCount).toBe(1);
    advance(100);
    expect(broker.getTopic('t').runtime.scheduledMessageCount).toBe(0);
    expect(broker.peek('t/subscriptions/s1', 0, 5)[0]).toMatchObject({ payload: 'x', sequenceNumber: seq });
  });

  it('a message enqueued by its schedule is still reported as scheduled when peeked and delivered', () => {
    const { broker, advance } = setup();
    broker.createQueue('q');
    broker.createTopic('t');
    broker.createSubscription('t', 's');
    broker.schedule('q', [msg('a', { scheduledEnqueueTimeUtc: T0 + 100 })]);
    broker.schedule('t', [msg('b', { scheduledEnqueueTimeUtc: T0 + 100 })]);
    broker.send('q', [msg('plain')]);
    advance(100);
    expect(broker.peek('q', 0, 5).map((m) => [m.payload, m.state])).toEqual([
      ['a', 'scheduled'],
      ['plain', 'active'],
    ]);
    expect(broker.peek('t/subscriptions/s', 0, 5).map((m) => m.state)).toEqual(['scheduled']);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const got = r.receive(5);
    expect(got.map((m) => m.state)).toEqual(['scheduled', 'active']);
    broker.defer('q', got[0]!.lockToken!);
    expect(broker.peek('q', 0, 1)[0]!.state).toBe('deferred');
  });
});
