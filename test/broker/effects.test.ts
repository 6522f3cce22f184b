import { describe, expect, it } from 'vitest';
import { Broker, FakeClock, type StoredMessage } from '../../src/broker/index.js';
import { msg, payloads, T0 } from './helpers.js';

/** Runs `fn`, lets queued microtasks and one macrotask run, and returns what escaped as uncaught. */
async function uncaughtDuring(fn: () => void): Promise<unknown[]> {
  const seen: unknown[] = [];
  const handler = (e: unknown) => seen.push(e);
  process.on('uncaughtException', handler);
  try {
    fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('uncaughtException', handler);
  }
  return seen;
}

function brokerReportingTo(reported: unknown[], onWakeup?: (at: number) => void) {
  const clock = new FakeClock(T0);
  return { clock, broker: new Broker({ clock, onWakeup, onError: (e) => reported.push(e) }) };
}

describe('adapter callbacks that throw', () => {
  it('a failing adapter callback does not break the broker call that triggered it', async () => {
    const reported: unknown[] = [];
    const { broker } = brokerReportingTo(reported);
    broker.createQueue('q');
    broker.openReceiver('q', {
      mode: 'peekLock',
      onAvailable: () => {
        throw new Error('adapter bug');
      },
    });
    const uncaught = await uncaughtDuring(() => expect(broker.send('q', [msg(1)])).toEqual([1]));
    expect(broker.runtime('q').activeMessageCount).toBe(1);
    expect(uncaught).toEqual([]);
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).message).toBe('adapter bug');
  });

  it('is reported, not thrown, so the process lives on and other receivers still get messages', async () => {
    const reported: unknown[] = [];
    const { broker } = brokerReportingTo(reported);
    broker.createTopic('t');
    broker.createSubscription('t', 'a');
    broker.createSubscription('t', 'b');
    broker.createQueue('s', { requiresSession: true });
    const bad = () => {
      throw new Error('adapter bug');
    };
    broker.openReceiver('t/Subscriptions/a', { mode: 'peekLock', onAvailable: bad });
    let woken = 0;
    const good = broker.openReceiver('t/Subscriptions/b', { mode: 'peekLock', onAvailable: () => woken++ });
    // A throwing `done` of accept-next-session and a throwing session-lock-lost callback too.
    broker.acceptNextSession('s', { mode: 'peekLock', timeoutMs: 1000 }, bad);
    let got: StoredMessage[] = [];
    const uncaught = await uncaughtDuring(() => {
      broker.send('t', [msg(1), msg(2)]);
      broker.send('s', [msg('x', { sessionId: 'a' })]);
      got = good.receive(10);
    });
    expect(uncaught).toEqual([]);
    expect(woken).toBe(1);
    expect(payloads(got)).toEqual([1, 2]);
    expect(reported.map((e) => (e as Error).message)).toEqual(['adapter bug', 'adapter bug']);
  });

  it('a throwing onSessionLockLost or onWakeup is reported too', async () => {
    const reported: unknown[] = [];
    const { broker, clock } = brokerReportingTo(reported, () => {
      throw new Error('wakeup bug');
    });
    broker.createQueue('s', { requiresSession: true, lockDurationMs: 1000 });
    const uncaught = await uncaughtDuring(() => {
      broker.acceptSession('s', 'a', {
        mode: 'peekLock',
        onSessionLockLost: () => {
          throw new Error('lock-lost bug');
        },
      });
      clock.advance(1000);
      broker.tick();
    });
    expect(uncaught).toEqual([]);
    expect(reported.map((e) => (e as Error).message)).toEqual(['wakeup bug', 'lock-lost bug']);
  });

  it('a reporter that throws is contained as well', async () => {
    const clock = new FakeClock(T0);
    const broker = new Broker({
      clock,
      onError: () => {
        throw new Error('reporter bug');
      },
    });
    broker.createQueue('q');
    broker.openReceiver('q', {
      mode: 'peekLock',
      onAvailable: () => {
        throw new Error('adapter bug');
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.at(-1));
    let uncaught: unknown[];
    try {
      uncaught = await uncaughtDuring(() => broker.send('q', [msg(1)]));
    } finally {
      console.error = original;
    }
    expect(uncaught).toEqual([]);
    expect((errors[0] as Error).message).toBe('reporter bug');
  });
});
