/**
 * Drives the broker's time: ONE real timer, armed for broker.nextDueAt(). When it fires it calls
 * broker.tick() and re-arms for the next due instant. The broker announces earlier instants
 * through its onWakeup callback (wire it to `timer.onWakeup`), which re-arms the timer sooner.
 *
 * Node's setTimeout holds at most 2^31-1 ms (about 24.8 days; longer delays fire at once), so a
 * far-off instant is reached in hops of at most that long. The timer is unref'd: it never keeps
 * the process alive on its own.
 */
import type { Logger } from 'pino';
import type { Clock } from '../broker/clock.js';

/** The two broker methods the timer needs. */
export interface Tickable {
  nextDueAt(): number | undefined;
  tick(): void;
}

/** Injectable for tests; defaults to the global timers. */
export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
/** After tick() throws, wait this long before trying again rather than spinning. */
const RETRY_AFTER_ERROR_MS = 1_000;

const globalTimers: TimerApi = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class BrokerTimer {
  private broker: Tickable | undefined;
  private handle: unknown;
  /** The instant the armed timer is for (the target, not the hop). */
  private armedFor: number | undefined;
  private firing = false;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: { logger?: Logger; timers?: TimerApi } = {},
  ) {}

  /** Pass as the Broker's `onWakeup`. Before start() and after stop() it does nothing. */
  readonly onWakeup = (dueAt: number): void => {
    if (this.broker === undefined || this.stopped || this.firing) return; // fire() re-arms itself
    if (this.armedFor !== undefined && this.armedFor <= dueAt) return;
    this.arm(dueAt);
  };

  /** Attaches the broker and arms for whatever is already due. */
  start(broker: Tickable): void {
    if (this.stopped) throw new Error('BrokerTimer was stopped');
    this.broker = broker;
    this.rearm();
  }

  /** Cancels the timer for good. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  /** Re-arms for the broker's next due instant (after the clock jumped, say). */
  reschedule(): void {
    if (this.broker !== undefined && !this.stopped && !this.firing) this.rearm();
  }

  /** The instant the timer is armed for (for tests and diagnostics). */
  get nextFireAt(): number | undefined {
    return this.armedFor;
  }

  private get timers(): TimerApi {
    return this.options.timers ?? globalTimers;
  }

  private rearm(): void {
    const due = this.broker?.nextDueAt();
    if (due === undefined || !Number.isFinite(due)) this.disarm();
    else this.arm(due);
  }

  private arm(dueAt: number, minDelay = 0): void {
    this.disarm();
    const delay = Math.min(Math.max(dueAt - this.clock.now(), minDelay, 0), MAX_TIMER_DELAY_MS);
    this.armedFor = dueAt;
    this.handle = this.timers.setTimeout(() => this.fire(dueAt), delay);
  }

  private disarm(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = undefined;
  }

  private fire(target: number): void {
    this.handle = undefined;
    this.armedFor = undefined;
    if (this.stopped || this.broker === undefined) return;
    if (this.clock.now() < target) {
      // An intermediate hop of a delay longer than setTimeout allows (or an early wake-up).
      this.rearm();
      return;
    }
    this.firing = true;
    let failed = false;
    try {
      this.broker.tick();
    } catch (err) {
      failed = true;
      this.options.logger?.error({ err }, 'broker tick failed');
    } finally {
      this.firing = false;
    }
    if (this.stopped) return;
    if (failed) {
      const due = this.broker.nextDueAt();
      if (due !== undefined && Number.isFinite(due)) this.arm(due, RETRY_AFTER_ERROR_MS);
    } else {
      this.rearm();
    }
  }
}
