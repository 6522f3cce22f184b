/**
 * ISO 8601 durations as Service Bus writes them (.NET `XmlConvert.ToTimeSpan` / `ToString(TimeSpan)`):
 * `P14D`, `PT5M`, `PT1H30M`, `P1DT2H`, `PT5.4775807S`, and TimeSpan.MaxValue
 * `P10675199DT2H48M5.4775807S`. The one parser of the project: the config loader and the admin API
 * both use it.
 *
 * Precision: .NET counts in ticks (100 ns); we count in milliseconds. Parsing works in ticks with
 * BigInt (exact), checks the TimeSpan range, then truncates to whole milliseconds, so
 * TimeSpan.MaxValue becomes MAX_DURATION_MS and formats back to exactly the same string.
 * As in .NET, a year is 365 days and a month 30 days; weeks and negative durations are refused
 * (no Service Bus property takes them).
 */
import { MAX_DURATION_MS } from '../broker/types.js';

const TICKS_PER_MS = 10_000n;
const TICKS_PER_SECOND = 10_000_000n;
const TICKS_PER_MINUTE = 60n * TICKS_PER_SECOND;
const TICKS_PER_HOUR = 60n * TICKS_PER_MINUTE;
const TICKS_PER_DAY = 24n * TICKS_PER_HOUR;
/** TimeSpan.MaxValue.Ticks */
const MAX_TICKS = 9_223_372_036_854_775_807n;
const MAX_DURATION_TEXT = 'P10675199DT2H48M5.4775807S';

const PATTERN =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/;

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/**
 * Milliseconds in an ISO 8601 duration. Throws DurationError on anything else (empty `P`, `PT`,
 * a negative sign, weeks, fractions outside the seconds, values beyond TimeSpan.MaxValue).
 */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new DurationError(`expected an ISO 8601 duration string, got ${typeof text}`);
  const s = text.trim();
  const m = PATTERN.exec(s);
  // `P` alone, `PT` alone and a trailing `T` match the pattern's optional groups: refuse them.
  if (m === null || s === 'P' || s.endsWith('T')) {
    throw new DurationError(`'${text}' is not an ISO 8601 duration such as PT1M, P14D or P1DT2H30M`);
  }
  const [, years, months, days, hours, minutes, seconds, fraction] = m;
  const int = (v: string | undefined): bigint => (v === undefined ? 0n : BigInt(v));
  let ticks =
    (int(years) * 365n + int(months) * 30n + int(days)) * TICKS_PER_DAY +
    int(hours) * TICKS_PER_HOUR +
    int(minutes) * TICKS_PER_MINUTE +
    int(seconds) * TICKS_PER_SECOND;
  if (fraction !== undefined) {
    // Ticks have 7 decimal places of a second; finer digits are dropped, as .NET does.
    ticks += BigInt(fraction.slice(0, 7).padEnd(7, '0'));
  }
  if (ticks > MAX_TICKS) {
    throw new DurationError(`'${text}' is longer than the maximum duration ${MAX_DURATION_TEXT}`);
  }
  return Number(ticks / TICKS_PER_MS);
}

/**
 * The ISO 8601 form .NET writes: days, then T with hours, minutes and seconds, zero parts omitted,
 * `PT0S` for zero. MAX_DURATION_MS (and anything above) is written as TimeSpan.MaxValue.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new DurationError(`cannot format ${ms} ms as a duration`);
  if (ms >= MAX_DURATION_MS) return MAX_DURATION_TEXT;
  // Whole ticks; ms may carry a fraction (sub-millisecond values round to the nearest tick).
  const wholeMs = Math.floor(ms);
  let ticks = BigInt(wholeMs) * TICKS_PER_MS + BigInt(Math.round((ms - wholeMs) * 10_000));
  const days = ticks / TICKS_PER_DAY;
  ticks %= TICKS_PER_DAY;
  const hours = ticks / TICKS_PER_HOUR;
  ticks %= TICKS_PER_HOUR;
  const minutes = ticks / TICKS_PER_MINUTE;
  ticks %= TICKS_PER_MINUTE;
  const seconds = ticks / TICKS_PER_SECOND;
  const fraction = ticks % TICKS_PER_SECOND;

  let out = 'P';
  if (days > 0n) out += `${days}D`;
  let time = '';
  if (hours > 0n) time += `${hours}H`;
  if (minutes > 0n) time += `${minutes}M`;
  if (seconds > 0n || fraction > 0n) {
    time += fraction > 0n ? `${seconds}.${fraction.toString().padStart(7, '0').replace(/0+$/, '')}S` : `${seconds}S`;
  }
  if (time !== '') out += `T${time}`;
  return out === 'P' ? 'PT0S' : out;
}
