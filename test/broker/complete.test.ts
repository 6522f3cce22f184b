import { describe, expect, it } from 'vitest';
import { expectCode, msg, setup } from './helpers.js';

describe('complete', () => {
  it('removes the message', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg(1)]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    broker.complete('q', m!.lockToken!);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
    expectCode(() => broker.complete('q', m!.lockToken!), 'MessageLockLost');
  });

  it('works by lock token after the receiver is closed', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg(1)]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [m] = r.receive(1);
    r.close();
    broker.complete('Q', m!.lockToken!);
    expect(broker.runtime('q').activeMessageCount).toBe(0);
  });

  it('fails with MessageLockLost once the lock has expired', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', { lockDurationMs: 1000 });
    broker.send('q', [msg(1)]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    advance(1000);
    expectCode(() => broker.complete('q', m!.lockToken!), 'MessageLockLost');
    expect(broker.runtime('q').activeMessageCount).toBe(1);
  });

  it('fails for unknown tokens and tokens of another entity', () => {
    const { broker } = setup();
    broker.createQueue('a');
    broker.createQueue('b');
    broker.send('a', [msg(1)]);
    const [m] = broker.openReceiver('a', { mode: 'peekLock' }).receive(1);
    expectCode(() => broker.complete('b', m!.lockToken!), 'MessageLockLost');
    expectCode(() => broker.complete('a', '00000000-0000-0000-0000-000000000000'), 'MessageLockLost');
    expectCode(() => broker.complete('a', 42 as unknown as string), 'ArgumentError');
  });

  it('renewLock extends the lock so it survives past the first deadline', () => {
    const { broker, advance, clock } = setup();
    broker.createQueue('q', { lockDurationMs: 1000 });
    broker.send('q', [msg(1)]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    advance(800);
    expect(broker.renewLock('q', [m!.lockToken!])).toEqual([clock.now() + 1000]);
    advance(800);
    broker.complete('q', m!.lockToken!);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('a stale token never settles the message that later reuses its lock slot', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b')]);
    const r = broker.openReceiver('q', { mode: 'peekLock' });
    const [a] = r.receive(1);
    broker.complete('q', a!.lockToken!);
    const [b] = r.receive(1);
    expect(b!.lockToken).not.toBe(a!.lockToken);
    expectCode(() => broker.complete('q', a!.lockToken!), 'MessageLockLost');
    broker.complete('q', b!.lockToken!.toUpperCase());
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });
});
