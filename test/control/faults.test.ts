/**
 * Faults.wrap on the real broker with a fake clock: a receive fault armed after a receiver opened
 * fails that receiver's next take, locking nothing, while the receiver stays the broker's own (a
 * session receiver's close still releases the session lock, which the broker checks by identity).
 */
import { describe, expect, it } from 'vitest';
import { Broker, FakeClock } from '../../src/broker/index.js';
import { BrokerError } from '../../src/broker/errors.js';
import { Faults } from '../../src/control/faults.js';
import { msg } from '../broker/helpers.js';


function setup() {
  const broker = new Broker({ clock: new FakeClock(Date.UTC(2026, 0, 1)) });
  const faults = new Faults();
  return { broker, faults, faulty: faults.wrap(broker) };
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof BrokerError ? e.code : String(e);
  }
  return 'no error';
};

describe('receive faults on open receivers', () => {
  it('fail the next take of an open receiver, one per count, locking nothing', () => {
    const { broker, faults, faulty } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a'), msg('b')]);
    const receiver = faulty.openReceiver('q', { mode: 'peekLock' });
    expect(receiver.receive(1).map((m) => m.sequenceNumber)).toEqual([1]);

    faults.arm({ entity: 'q', operation: 'receive', error: 'server-busy', count: 2 });
    expect(codeOf(() => receiver.receive(5))).toBe('ServerBusy');
    expect(faults.list()).toMatchObject([{ hits: 1, count: 2 }]);
    expect(codeOf(() => receiver.receive(5))).toBe('ServerBusy');
    expect(faults.list()).toEqual([]);
    expect(broker.peek('q', 1, 10).map((m) => [m.sequenceNumber, m.lockedUntilUtc !== undefined])).toEqual([[1, true], [2, false]]);
    expect(receiver.receive(5).map((m) => m.sequenceNumber)).toEqual([2]);
  });

  it('reach session receivers, whether accepted by id or as the next available', () => {
    const { broker, faults, faulty } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg('x', { sessionId: 'a' }), msg('y', { sessionId: 'b' })]);
    const byId = faulty.acceptSession('s', 'a', { mode: 'peekLock' });
    let next: ReturnType<typeof faulty.acceptSession> | undefined;
    faulty.acceptNextSession('s', { mode: 'peekLock', timeoutMs: 1000 }, (_e, r) => (next = r));
    expect(next?.sessionId).toBe('b');

    faults.arm({ entity: 's', operation: 'receive', error: 'timeout', count: 2 });
    expect(codeOf(() => byId.receive(1))).toBe('Timeout');
    expect(codeOf(() => next!.receive(1))).toBe('Timeout');
    // Closing through the wrapper is the broker's own close: the session is free at once.
    byId.close();
    expect(byId.closed).toBe(true);
    expect(broker.acceptSession('s', 'a', { mode: 'peekLock' }).receive(1)).toHaveLength(1);
  });

  it('leave receivers of other entities and other operation kinds alone', () => {
    const { broker, faults, faulty } = setup();
    broker.createQueue('q');
    broker.createQueue('other');
    broker.send('other', [msg('o')]);
    const receiver = faulty.openReceiver('other', { mode: 'receiveAndDelete' });
    faults.arm({ entity: 'q', operation: 'receive', error: 'server-busy' });
    faults.arm({ entity: 'other', operation: 'settle', error: 'server-busy' });
    expect(receiver.receive(1)).toHaveLength(1);
    expect(faults.list()).toMatchObject([{ hits: 0 }, { hits: 0 }]);
  });
});
