import { describe, expect, it } from 'vitest';
import { expectCode, msg, payloads, setup, T0 } from './helpers.js';

describe('forwarding', () => {
  it('ForwardTo moves every enqueued message to the target queue with a new sequence number', () => {
    const { broker } = setup();
    broker.createQueue('target');
    broker.send('target', [msg('own')]);
    broker.createQueue('src', { forwardTo: 'TARGET' });
    expect(broker.send('src', [msg('a'), msg('b')])).toEqual([1, 2]);
    expect(broker.runtime('src').totalMessageCount).toBe(0);
    const got = broker.openReceiver('target', { mode: 'receiveAndDelete' }).receive(5);
    expect(payloads(got)).toEqual(['own', 'a', 'b']);
    expect(got.slice(1).map((m) => [m.sequenceNumber, m.enqueuedSequenceNumber])).toEqual([
      [2, 1],
      [3, 2],
    ]);
  });

  it('forwards to a topic, and from a subscription', () => {
    const { broker } = setup();
    broker.createQueue('sink');
    broker.createTopic('t');
    broker.createSubscription('t', 'fwd', { forwardTo: 'sink' });
    broker.createQueue('in', { forwardTo: 't' });
    broker.send('in', [msg('x')]);
    expect(payloads(broker.openReceiver('sink', { mode: 'receiveAndDelete' }).receive(5))).toEqual(['x']);
  });

  it('forwards scheduled messages when they come due', () => {
    const { broker, advance } = setup();
    broker.createQueue('target');
    broker.createQueue('src', { forwardTo: 'target' });
    broker.schedule('src', [msg('s', { scheduledEnqueueTimeUtc: T0 + 10 })]);
    expect(broker.runtime('src').scheduledMessageCount).toBe(1);
    advance(10);
    expect(broker.runtime('src').totalMessageCount).toBe(0);
    expect(broker.runtime('target').activeMessageCount).toBe(1);
  });

  it('stops a forwarding loop after the hop limit by dead-lettering', () => {
    const { broker } = setup();
    broker.createQueue('a');
    broker.createQueue('b', { forwardTo: 'a' });
    broker.updateQueue('a', { forwardTo: 'b' });
    broker.send('a', [msg('loop')]);
    const total = broker.runtime('a').deadLetterMessageCount + broker.runtime('b').deadLetterMessageCount;
    expect(total).toBe(1);
    const dlq = broker.runtime('a').deadLetterMessageCount ? 'a' : 'b';
    expect(broker.peek(`${dlq}/$DeadLetterQueue`, 0, 1)[0]!.deadLetterReason).toBe('MaxTransferHopCountExceeded');
  });

  it('a queue may forward to itself: the message makes 4 hops, then is dead-lettered with Azure\'s reason', () => {
    const { broker } = setup();
    broker.createQueue('q', { forwardTo: 'Q' });
    broker.send('q', [msg('loop')]);
    expect(broker.runtime('q')).toMatchObject({ activeMessageCount: 0, deadLetterMessageCount: 1 });
    const [dead] = broker.peek('q/$DeadLetterQueue', 0, 1);
    // Sent as 1, then 4 hops each gave it the next number of the same queue.
    expect(dead).toMatchObject({ sequenceNumber: 5, enqueuedSequenceNumber: 1, deadLetterReason: 'MaxTransferHopCountExceeded' });
    expect(dead!.deadLetterErrorDescription).toBe('The maximum number of allowed hops when forwarding between queues. Value is set to 4.');
  });

  it('a chain of queues forwards exactly 4 hops', () => {
    const { broker } = setup();
    for (let i = 5; i >= 0; i--) broker.createQueue(`q${i}`, i < 5 ? { forwardTo: `q${i + 1}` } : {});
    broker.send('q0', [msg('far')]);
    // q0 -> q1 -> q2 -> q3 -> q4: four hops; q4 may not forward on to q5.
    expect(broker.runtime('q4').deadLetterMessageCount).toBe(1);
    expect(broker.runtime('q5').totalMessageCount).toBe(0);
  });

  it('refuses a forward target that does not exist, on create and on update', () => {
    const { broker } = setup();
    expectCode(() => broker.createQueue('q', { forwardTo: 'nowhere' }), 'ArgumentError');
    expectCode(() => broker.createQueue('q', { forwardDeadLetteredMessagesTo: 'nowhere' }), 'ArgumentError');
    broker.createQueue('q');
    broker.createTopic('t');
    expectCode(() => broker.updateQueue('q', { forwardTo: 'nowhere' }), 'ArgumentError');
    expectCode(() => broker.createSubscription('t', 's', { forwardTo: 'nowhere' }), 'ArgumentError');
    broker.createSubscription('t', 's', { forwardTo: 't' });
    expect(() => broker.updateQueue('q', { forwardTo: 't' })).not.toThrow();
  });
});
