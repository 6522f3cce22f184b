import { describe, expect, it } from 'vitest';
import { EmulatorClock } from '../../src/control/clock.js';
import { Journal } from '../../src/control/journal.js';

describe('journal ring', () => {
  it('keeps the newest events, numbers rising across the wrap', () => {
    const j = new Journal(3);
    for (let i = 0; i < 5; i++) j.record({ type: 'enqueued', at: i, entity: 'q', sequenceNumber: i + 1 });
    expect(j.query().map((e) => [e.number, e.sequenceNumber])).toEqual([[3, 3], [4, 4], [5, 5]]);
    expect(j.query({ since: 4 }).map((e) => e.number)).toEqual([5]);
    j.clear();
    j.record({ type: 'enqueued', at: 0, entity: 'q' });
    expect(j.query().map((e) => e.number)).toEqual([1]);
    expect(() => new Journal(0)).toThrow();
  });

  it('matches an entity and what lives under it, case-insensitively', () => {
    const j = new Journal();
    for (const entity of ['t/Subscriptions/s', 'q/$DeadLetterQueue', 'qq', 'q']) j.record({ type: 'enqueued', at: 0, entity });
    expect(j.query({ entity: 'Q' }).map((e) => e.entity)).toEqual(['q/$DeadLetterQueue', 'q']);
    expect(j.query({ entity: 't' }).map((e) => e.entity)).toEqual(['t/Subscriptions/s']);
  });
});

describe('offset clock', () => {
  it('runs at wall speed plus an offset that only grows, calling back after each jump', () => {
    let wall = 1000;
    let jumps = 0;
    const c = new EmulatorClock('offset', () => wall);
    c.onAdvance = () => jumps++;
    c.advance('PT1H');
    wall += 5;
    expect(c.now()).toBe(1005 + 3_600_000);
    expect(c.advance({ ms: 0 }).offsetMs).toBe(3_600_000);
    expect(jumps).toBe(2);
    expect(() => c.advance(-1)).toThrow();
    expect(() => new EmulatorClock('fast' as never)).toThrow(/unknown clock/);
  });
});

describe('reset of a Premium namespace', () => {
  it('rebuilds the expected state with the configured Sku (a 2 MB queue is legal there)', async () => {
    const { startEmulator } = await import('../../src/index.js');
    const emu = await startEmulator({
      host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent',
      config: { UserConfig: { Namespaces: [{ Name: 'premium', Sku: 'Premium', Queues: [{ Name: 'big', Properties: { MaxMessageSizeInKilobytes: 2048 } }] }] } } as never,
    });
    try {
      emu.broker.deleteQueue('big');
      expect(emu.reset().created).toEqual(['big']);
      expect(emu.broker.getQueue('big').properties.maxMessageSizeInKilobytes).toBe(2048);
    } finally {
      await emu.close();
    }
  });
});
