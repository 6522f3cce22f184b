/**
 * The emulator's clock as the test control plane sees it. `system` is the wall clock; `offset`
 * runs at real speed plus an offset that only grows, so a test can jump over a one-hour TTL or a
 * five-minute lock. Jumping runs at once everything that fell due (the broker's deadlines are all
 * on this clock), then re-arms the host's timer for the new next deadline.
 */
import type { Clock } from '../broker/clock.js';
import { DurationError, parseDuration } from '../config/duration.js';
import { ControlError } from './errors.js';

export const CLOCK_MODES = ['system', 'offset'] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];

/** What an advance names: an ISO 8601 duration ('PT1H'), milliseconds, or either as a body. */
export type AdvanceBy = string | number | { duration?: string; ms?: number };

export interface ClockReading {
  /** ISO 8601 instant on the emulator's clock. */
  now: string;
  offsetMs: number;
}

export class EmulatorClock implements Clock {
  private offset = 0;
  /** Called after each jump: run what is due and re-arm the timer. */
  onAdvance: (() => void) | undefined;

  /**
   * `wall` is what the offset is added to: Date.now, or for a per-test namespace the emulator's
   * own clock (`baseOffset` its offset), so the root key's jumps move every namespace and a
   * namespace's jumps move it alone.
   */
  constructor(
    readonly mode: ClockMode,
    private readonly wall: () => number = Date.now,
    private readonly baseOffset: () => number = () => 0,
  ) {
    if (!(CLOCK_MODES as readonly string[]).includes(mode)) {
      throw new Error(`unknown clock '${String(mode)}'; use one of ${CLOCK_MODES.join(', ')}`);
    }
  }

  now(): number {
    return this.wall() + this.offset;
  }

  get offsetMs(): number {
    return this.baseOffset() + this.offset;
  }

  read(): ClockReading {
    return { now: new Date(this.now()).toISOString(), offsetMs: this.offsetMs };
  }

  /** A clock that runs on this one plus an offset of its own (a per-test namespace's). */
  child(): EmulatorClock {
    return new EmulatorClock(this.mode, () => this.now(), () => this.offsetMs);
  }

  /** Jumps forward and runs what fell due; returns the new reading. */
  advance(by: AdvanceBy): ClockReading {
    const ms = advanceMs(by);
    if (this.mode !== 'offset') {
      throw new ControlError(409, "The emulator runs on the system clock; start it with --clock offset (env EMULATOR_CLOCK=offset) to move time.");
    }
    this.offset += ms;
    this.onAdvance?.();
    return this.read();
  }
}

function advanceMs(by: AdvanceBy): number {
  if (typeof by === 'object' && by !== null) {
    const { duration, ms } = by;
    if ((duration === undefined) === (ms === undefined)) throw new ControlError(400, 'Give either "duration" (ISO 8601, e.g. "PT1H") or "ms", not both.');
    return advanceMs((duration ?? ms)!);
  }
  if (typeof by === 'number') {
    if (!Number.isSafeInteger(by) || by < 0) throw new ControlError(400, `"ms" must be a whole number of milliseconds, zero or more, not ${String(by)}.`);
    return by;
  }
  if (typeof by === 'string') {
    try {
      return parseDuration(by);
    } catch (err) {
      if (err instanceof DurationError) throw new ControlError(400, `"duration": ${err.message}.`);
      throw err;
    }
  }
  throw new ControlError(400, 'Advance by an ISO 8601 duration ("PT1H") or a number of milliseconds.');
}
