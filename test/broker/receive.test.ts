import { describe, expect, it, vi } from 'vitest';
import { expectCode, msg, payloads, setup, T0 } from './helpers.js';

describe('receive', () => {
  it('peek-lock hands out messages in order with a lock token and locked-until', () => {
    const { broker } = setup();
    broker.createQueue('q', { lockDurationMs: 30_000 });
    broker.send('q', [msg('a'), msg('b'), msg('c')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const got = r.receive(2);
    expect(payloads(got)).toEqual(['a', 'b']);
    for (const m of got) {
      expect(m.lockToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(m.lockedUntilUtc).toBe(T0 + 30_000);
      expect(m.deliveryCount).toBe(0);
    }
    expect(payloads(r.receive(5))).toEqual(['c']);
    expect(r.receive(5)).toEqual([]);
    expect(broker.runtime('q').activeMessageCount).toBe(3);
  });

  it('receive-and-delete removes what it returns', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b')]);
    const r = broker.openReceiver('q', { mode: 'receiveAndDelete' });
    const got = r.receive(10);
    expect(payloads(got)).toEqual(['a', 'b']);
    expect(got[0]!.lockToken).toBeUndefined();
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('notifies receivers synchronously, after the operation, when messages become available', () => {
    const { broker } = setup();
    broker.createQueue('q');
    const seen: number[] = [];
    const onAvailable = vi.fn(() => seen.push(broker.runtime('q').activeMessageCount));
    broker.openReceiver('q', { mode: 'peekLock', onAvailable });
    broker.send('q', [msg(1), msg(2)]);
    expect(onAvailable).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([2]);
  });

  it('rejects a non-session receiver on a session queue, but allows its dead-letter queue', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    expectCode(() => broker.openReceiver('s', { mode: 'peekLock' }), 'InvalidOperation');
    expect(broker.openReceiver('s/$deadletterqueue', { mode: 'peekLock' }).path).toBe('s/$deadletterqueue');
  });

  it('refuses to receive when disabled or closed', () => {
    const { broker } = setup();
    broker.createQueue('q');
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    broker.updateQueue('q', { status: 'ReceiveDisabled' });
    expectCode(() => r.receive(1), 'EntityDisabled');
    expectCode(() => broker.openReceiver('q', { mode: 'peekLock' }), 'EntityDisabled');
    broker.updateQueue('q', { status: 'Active' });
    r.close();
    expect(r.closed).toBe(true);
    expectCode(() => r.receive(1), 'InvalidOperation');
  });

  it('rejects bad counts with ArgumentError', () => {
    const { broker } = setup();
    broker.createQueue('q');
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    expectCode(() => r.receive(-1), 'ArgumentError');
    expectCode(() => r.receive(Number.NaN), 'ArgumentError');
    expectCode(() => r.receive('3' as unknown as number), 'ArgumentError');
  });
});
