import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS } from '../../src/broker/index.js';
import { msg, setup, T0 } from './helpers.js';

describe('time to live', () => {
  it('effective TTL is the smaller of the message and entity values; expired messages drop by default', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', { defaultMessageTimeToLiveMs: 10_000 });
    broker.send('q', [msg('short', { timeToLiveMs: 1000 }), msg('long', { timeToLiveMs: 50_000 })]);
    expect(broker.peek('q', 0, 5).map((m) => m.expiresAtUtc)).toEqual([T0 + 1000, T0 + 10_000]);
    advance(1000);
    expect(broker.runtime('q')).toMatchObject({ activeMessageCount: 1, deadLetterMessageCount: 0 });
    advance(9000);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('dead-letters expired messages with TTLExpiredException when asked to', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', { deadLetteringOnMessageExpiration: true });
    broker.send('q', [msg('x', { timeToLiveMs: 500 })]);
    advance(500);
    const [d] = broker.peek('q/$DeadLetterQueue', 0, 1);
    expect(d).toMatchObject({ deadLetterReason: 'TTLExpiredException', deadLetterErrorDescription: 'The message expired and was dead lettered.' });
    advance(10_000);
    expect(broker.runtime('q').deadLetterMessageCount).toBe(1); // nothing expires in a DLQ
  });

  it('never delivers an expired message, even if the host has not ticked', () => {
    const { broker, clock } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('x', { timeToLiveMs: 100 }), msg('y')]);
    clock.advance(100); // no tick
    const got = broker.openReceiver('q', { mode: 'peekLock' }).receive(5);
    expect(got.map((m) => m.payload)).toEqual(['y']);
  });

  it('a message that expires while locked is expired when its lock ends, not redelivered', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', { lockDurationMs: 1000, deadLetteringOnMessageExpiration: true });
    broker.send('q', [msg('x', { timeToLiveMs: 500 })]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [m] = r.receive(1);
    advance(600);
    expect(broker.runtime('q').activeMessageCount).toBe(1);
    broker.abandon('q', m!.lockToken!);
    expect(r.receive(1)).toEqual([]);
    expect(broker.peek('q/$DeadLetterQueue', 0, 1)[0]!.deadLetterReason).toBe('TTLExpiredException');
  });

  it('the default TTL is effectively infinite and schedules no timer', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('x')]);
    expect(broker.peek('q', 0, 1)[0]!.timeToLiveMs).toBe(MAX_DURATION_MS);
    expect(broker.nextDueAt()).toBeUndefined();
  });
});
