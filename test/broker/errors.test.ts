import { describe, expect, it } from 'vitest';
import { Broker, BrokerError } from '../../src/broker/index.js';
import { expectCode, msg, setup } from './helpers.js';

describe('errors and bad arguments', () => {
  it('bad arguments give ArgumentError, never a TypeError', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.createQueue('s', { requiresSession: true });
    const calls: (() => unknown)[] = [
      () => broker.send('q', null as never),
      () => broker.send('q', [null as never]),
      () => broker.send('q', [{ payload: 1, size: Number.NaN }]),
      () => broker.send('q', [msg(1, { messageId: 7 as never })]),
      () => broker.send('q', [msg(1, { timeToLiveMs: -5 })]),
      () => broker.send('q', [msg(1, { applicationProperties: 'x' as never })]),
      () => broker.send(undefined as never, [msg(1)]),
      () => broker.openReceiver('q', undefined as never),
      () => broker.openReceiver('q', { mode: 'whatever' as never }),
      () => broker.complete('q', undefined as never),
      () => broker.abandon('q', 'x', 'props' as never),
      () => broker.renewLock('q', 'x' as never),
      () => broker.receiveDeferred('q', [1.5], 'peekLock'),
      () => broker.deleteMessages('q', { count: -1 }),
      () => broker.listSessions('s', { skip: -1, top: 1 }),
      () => broker.setSessionState('s', 'a', 'text' as never),
      () => broker.acceptNextSession('s', { mode: 'peekLock', timeoutMs: Number.NaN }, () => {}),
      () => broker.acceptNextSession('s', { mode: 'peekLock', timeoutMs: 1 }, undefined as never),
      () => broker.createQueue('x', { lockDurationMs: '1' as never }),
      () => new Broker(undefined as never),
    ];
    for (const call of calls) expectCode(call, 'ArgumentError');
  });

  it('errors are BrokerError instances with Service Bus codes and messages', () => {
    const { broker } = setup();
    let caught: unknown;
    try {
      broker.getQueue('missing');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BrokerError);
    expect((caught as BrokerError).message).toMatch(/The messaging entity .* could not be found/);
  });

  it('operations on the wrong kind of entity are InvalidOperation', () => {
    const { broker } = setup();
    broker.createTopic('t');
    broker.createQueue('q');
    expectCode(() => broker.openReceiver('t', { mode: 'peekLock' }), 'InvalidOperation');
    expectCode(() => broker.acceptSession('q', 'a', { mode: 'peekLock' }), 'InvalidOperation');
    expectCode(() => broker.runtime('t'), 'InvalidOperation');
  });
});
