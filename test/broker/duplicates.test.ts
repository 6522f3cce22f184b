import { describe, expect, it } from 'vitest';
import { msg, payloads, setup } from './helpers.js';

describe('duplicate detection', () => {
  it('drops a repeated message id inside the window; the send still succeeds', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindowMs: 60_000 });
    expect(broker.send('q', [msg('a', { messageId: 'm1' })])).toEqual([1]);
    expect(broker.send('q', [msg('dup', { messageId: 'm1' }), msg('b', { messageId: 'm2' })])).toEqual([1, 2]);
    advance(59_999);
    broker.send('q', [msg('dup2', { messageId: 'm1' })]);
    advance(1);
    broker.send('q', [msg('c', { messageId: 'm1' })]);
    expect(payloads(broker.openReceiver('q', { mode: 'receiveAndDelete' }).receive(10))).toEqual(['a', 'b', 'c']);
  });

  it('is off by default', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a', { messageId: 'x' }), msg('b', { messageId: 'x' })]);
    expect(broker.runtime('q').activeMessageCount).toBe(2);
  });

  it('applies on topics before fan-out', () => {
    const { broker } = setup();
    broker.createTopic('t', { requiresDuplicateDetection: true });
    broker.createSubscription('t', 's');
    broker.send('t', [msg('a', { messageId: 'x' }), msg('b', { messageId: 'x' })]);
    expect(broker.runtime('t/subscriptions/s').activeMessageCount).toBe(1);
  });
});
