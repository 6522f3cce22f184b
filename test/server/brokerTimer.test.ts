import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/broker/clock.js';
import { BrokerTimer, MAX_TIMER_DELAY_MS, type TimerApi } from '../../src/server/brokerTimer.js';
import { systemClock } from '../../src/server/clock.js';

/** Timers driven by a FakeClock: run() fires whatever is due. */
class ManualTimers implements TimerApi {
  private next = 1;
  readonly pending = new Map<number, { at: number; fn: () => void; ms: number }>();
  constructor(private readonly clock: FakeClock) {}
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.clock.now() + ms, fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Advances the clock to each due timer in turn, up to `until`. */
  advanceTo(until: number): void {
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      if (due[1].at > this.clock.now()) this.clock.set(due[1].at);
      due[1].fn();
    }
    if (until > this.clock.now()) this.clock.set(until);
  }
  get delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
}

/** A broker stand-in holding a list of due instants; tick() drops those that are due. */
class FakeBroker {
  due: number[] = [];
  ticks: number[] = [];
  onWakeup: (at: number) => void = () => {};
  constructor(private readonly clock: FakeClock) {}
  nextDueAt(): number | undefined {
    return this.due.length === 0 ? undefined : Math.min(...this.due);
  }
  tick(): void {
    const now = this.clock.now();
    this.ticks.push(now);
    this.due = this.due.filter((d) => d > now);
  }
  schedule(at: number): void {
    const before = this.nextDueAt();
    this.due.push(at);
    if (before === undefined || at < before) this.onWakeup(at);
  }
}

function setup() {
  const clock = new FakeClock(1_000_000);
  const timers = new ManualTimers(clock);
  const timer = new BrokerTimer(clock, { timers });
  const broker = new FakeBroker(clock);
  broker.onWakeup = timer.onWakeup;
  return { clock, timers, timer, broker, t0: clock.now() };
}

describe('BrokerTimer', () => {
  it('keeps one timer armed for the earliest due instant and ticks when it comes', () => {
    const { timers, timer, broker, t0 } = setup();
    timer.start(broker);
    expect(timers.pending.size).toBe(0);
    broker.schedule(t0 + 5_000);
    broker.schedule(t0 + 2_000);
    broker.schedule(t0 + 9_000);
    expect(timers.pending.size).toBe(1);
    expect(timer.nextFireAt).toBe(t0 + 2_000);
    timers.advanceTo(t0 + 10_000);
    expect(broker.ticks).toEqual([t0 + 2_000, t0 + 5_000, t0 + 9_000]);
    expect(timers.pending.size).toBe(0);
    expect(timer.nextFireAt).toBeUndefined();
  });

  it('arms at start for what the broker already has', () => {
    const { timers, timer, broker, t0 } = setup();
    broker.due = [t0 + 100];
    timer.start(broker);
    expect(timers.delays).toEqual([100]);
  });

  it('fires at once for instants in the past', () => {
    const { timers, timer, broker, t0 } = setup();
    timer.start(broker);
    broker.schedule(t0 - 50);
    expect(timers.delays).toEqual([0]);
  });

  it('ignores wake-ups for later instants than the armed one', () => {
    const { timers, timer, broker, t0 } = setup();
    timer.start(broker);
    broker.schedule(t0 + 1_000);
    timer.onWakeup(t0 + 2_000);
    expect(timers.pending.size).toBe(1);
    expect(timer.nextFireAt).toBe(t0 + 1_000);
  });

  it('reaches instants beyond the setTimeout limit in hops, without ticking early', () => {
    const { timers, timer, broker, t0 } = setup();
    timer.start(broker);
    const far = t0 + 3 * MAX_TIMER_DELAY_MS + 7;
    broker.schedule(far);
    expect(timers.delays).toEqual([MAX_TIMER_DELAY_MS]);
    timers.advanceTo(t0 + 2 * MAX_TIMER_DELAY_MS);
    expect(broker.ticks).toEqual([]);
    expect(timer.nextFireAt).toBe(far);
    timers.advanceTo(far);
    expect(broker.ticks).toEqual([far]);
  });

  it('handles the maximum TTL instant (MAX_SAFE_INTEGER) without overflowing', () => {
    const { timers, timer, broker } = setup();
    timer.start(broker);
    broker.schedule(Number.MAX_SAFE_INTEGER);
    expect(timers.delays).toEqual([MAX_TIMER_DELAY_MS]);
  });

  it('wake-ups raised inside tick() do not arm twice', () => {
    const { timers, timer, broker, t0 } = setup();
    timer.start(broker);
    const tick = broker.tick.bind(broker);
    broker.tick = () => {
      tick();
      broker.schedule(broker.ticks.at(-1)! + 500); // e.g. a lock renewed by the tick
    };
    broker.schedule(t0 + 1_000);
    timers.advanceTo(t0 + 1_000);
    expect(timers.pending.size).toBe(1);
    expect(timer.nextFireAt).toBe(t0 + 1_500);
  });

  it('logs a failing tick and retries after a pause instead of spinning', () => {
    const { timers, broker, clock, t0 } = setup();
    const logger = { error: vi.fn() };
    const timer = new BrokerTimer(clock, { timers, logger: logger as never });
    broker.onWakeup = timer.onWakeup;
    timer.start(broker);
    broker.tick = () => {
      throw new Error('boom');
    };
    broker.schedule(t0 + 10);
    timers.advanceTo(t0 + 10);
    expect(logger.error).toHaveBeenCalledWith({ err: expect.any(Error) }, 'broker tick failed');
    expect(timers.delays).toEqual([1_000]);
  });

  it('stop() cancels the timer and ignores later wake-ups', () => {
    const { timers, timer, broker, t0 } = setup();
    timer.start(broker);
    broker.schedule(t0 + 1_000);
    timer.stop();
    expect(timers.pending.size).toBe(0);
    broker.schedule(t0 + 10);
    expect(timers.pending.size).toBe(0);
    expect(() => timer.start(broker)).toThrow(/stopped/);
  });

  it('uses real, unref’d timers by default', async () => {
    const timer = new BrokerTimer(systemClock);
    let ticked = 0;
    const due = [Date.now() + 20];
    timer.start({
      nextDueAt: () => due[0],
      tick: () => {
        ticked++;
        due.length = 0;
      },
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(ticked).toBe(1);
    timer.stop();
  });
});

describe('systemClock', () => {
  it('is Date.now', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
