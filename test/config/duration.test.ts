import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DurationError, formatDuration, parseDuration } from '../../src/config/duration.js';
import { MAX_DURATION_MS } from '../../src/broker/types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['PT0S', 0],
    ['P0D', 0],
    ['PT1M', MINUTE],
    ['PT5M', 5 * MINUTE],
    ['PT20S', 20 * SECOND],
    ['PT1H', HOUR],
    ['PT1H30M', HOUR + 30 * MINUTE],
    ['P14D', 14 * DAY],
    ['P1DT2H', DAY + 2 * HOUR],
    ['P1DT2H3M4S', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND],
    ['PT5.4775807S', 5477],
    ['PT0.5S', 500],
    ['PT0.001S', 1],
    ['PT0.0009S', 0],
    ['PT90M', 90 * MINUTE],
    ['P1Y', 365 * DAY],
    ['P1M', 30 * DAY],
    ['P1MT1M', 30 * DAY + MINUTE],
    ['  PT1M  ', MINUTE],
    ['P10675199DT2H48M5.4775807S', MAX_DURATION_MS],
    ['P10675199DT2H48M5.477S', MAX_DURATION_MS],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [''],
    ['P'],
    ['PT'],
    ['P1DT'],
    ['1M'],
    ['PT1'],
    ['-PT1M'],
    ['P1W'],
    ['PT1.5M'],
    ['PT1.S'],
    ['pt1m'],
    ['PT1M1H'],
    ['P1DT2H garbage'],
    ['00:01:00'],
    ['P10675199DT2H48M5.4775808S'],
    ['P10675200D'],
    ['P99999999999999999999D'],
  ])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
  });

  it('names the bad input in its message', () => {
    expect(() => parseDuration('5 minutes')).toThrow(/'5 minutes' is not an ISO 8601 duration/);
  });

  it('refuses non-strings', () => {
    expect(() => parseDuration(60 as unknown as string)).toThrow(DurationError);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, 'PT0S'],
    [MINUTE, 'PT1M'],
    [5 * MINUTE, 'PT5M'],
    [20 * SECOND, 'PT20S'],
    [HOUR + 30 * MINUTE, 'PT1H30M'],
    [14 * DAY, 'P14D'],
    [DAY + 2 * HOUR, 'P1DT2H'],
    [5477, 'PT5.477S'],
    [500, 'PT0.5S'],
    [1, 'PT0.001S'],
    [10 * MINUTE, 'PT10M'],
    [DAY + 1, 'P1DT0.001S'],
    [0.5, 'PT0.0005S'],
    [MAX_DURATION_MS, 'P10675199DT2H48M5.4775807S'],
    [Number.MAX_SAFE_INTEGER, 'P10675199DT2H48M5.4775807S'],
  ])('%d ms = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('refuses %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(DurationError);
  });

  it('round-trips every whole millisecond count up to the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it('round-trips small values exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * DAY }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
