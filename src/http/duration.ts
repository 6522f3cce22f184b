/**
 * ISO 8601 durations for the admin API (`PT1M`, `P14D`, `P10675199DT2H48M5.4775807S` <-> ms).
 *
 * The project has exactly one parser/formatter: src/config/duration.ts (landed first, with the
 * config loader, and tested there). This module re-exports it so src/http code has a local import
 * and both surfaces agree on every edge case (TimeSpan.MaxValue <-> MAX_DURATION_MS, truncation to
 * whole milliseconds, 365-day years and 30-day months, no weeks, no negative values).
 */
export { DurationError, formatDuration, parseDuration } from '../config/duration.js';
