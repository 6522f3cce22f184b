import type { Clock } from '../broker/clock.js';

/** The real clock the emulator gives the broker. */
export const systemClock: Clock = { now: () => Date.now() };
