import { describe, expect, it } from 'vitest';
import { msg, payloads, setup } from './helpers.js';

describe('abandon', () => {
  it('puts the message back at its place with deliveryCount + 1 and properties modified', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [a] = r.receive(1);
    broker.abandon('q', a!.lockToken!, { reason: 'retry' });
    const again = r.receive(2);
    expect(payloads(again)).toEqual(['a', 'b']);
    expect(again[0]!.deliveryCount).toBe(1);
    expect(again[0]!.propertyChanges?.get('reason')).toBe('retry');
    expect(again[1]!.deliveryCount).toBe(0);
  });

  it('dead-letters with MaxDeliveryCountExceeded when the count reaches the maximum', () => {
    const { broker } = setup();
    broker.createQueue('q', { maxDeliveryCount: 2 });
    broker.send('q', [msg('a')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    broker.abandon('q', r.receive(1)[0]!.lockToken!);
    broker.abandon('q', r.receive(1)[0]!.lockToken!);
    expect(r.receive(1)).toEqual([]);
    const [dead] = broker.peek('q/$DeadLetterQueue', 0, 1);
    expect(dead!.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead!.deadLetterErrorDescription).toBe('Message could not be consumed after 2 delivery attempts.');
    expect(dead!.propertyChanges?.get('DeadLetterReason')).toBe('MaxDeliveryCountExceeded');
    expect(dead!.deliveryCount).toBe(2);
  });

  it('lock expiry acts as abandon', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', { lockDurationMs: 5000 });
    broker.send('q', [msg('a')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    r.receive(1);
    advance(4999);
    expect(r.receive(1)).toEqual([]);
    advance(1);
    const [m] = r.receive(1);
    expect(m!.deliveryCount).toBe(1);
  });

  it('release returns without counting', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    broker.release('q', r.receive(1)[0]!.lockToken!);
    expect(r.receive(1)[0]!.deliveryCount).toBe(0);
  });

  it('a dead-letter queue counts no attempts: abandon and lock expiry leave the count, nothing dead-letters again', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', { maxDeliveryCount: 1, lockDurationMs: 1000 });
    broker.send('q', [msg('a')]);
    broker.abandon('q', broker.openReceiver('q', { mode: 'peekLock' }).receive(1)[0]!.lockToken!);
    const dlq = broker.openReceiver('q/$DeadLetterQueue', { mode: 'peekLock' });
    for (let i = 0; i < 3; i++) broker.abandon('q/$DeadLetterQueue', dlq.receive(1)[0]!.lockToken!);
    expect(dlq.receive(1)[0]!.deliveryCount).toBe(1);
    advance(1000);
    const [again] = dlq.receive(1);
    expect(again!.deliveryCount).toBe(1);
    broker.defer('q/$DeadLetterQueue', again!.lockToken!);
    expect(broker.peek('q/$DeadLetterQueue', 0, 1)[0]!.deliveryCount).toBe(1);
    expect(broker.runtime('q').deadLetterMessageCount).toBe(1);
  });
});
