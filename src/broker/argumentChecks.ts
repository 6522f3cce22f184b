/**
 * Checks of what adapters pass in. Every broker method reports bad arguments as ArgumentError
 * (never a TypeError from somewhere deeper), and checks before it changes anything.
 */
import type { SessionReceiverOptions } from './api.js';
import { errors } from './errors.js';
import type { PropertiesToModify, ReceiveMode } from './types.js';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function checkCount(v: unknown, what: string): number {
  if (!isCount(v)) throw errors.argument(`${what} must be a non-negative integer.`);
  return v;
}

export function checkOptionalString(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw errors.argument(`${what} must be a string.`);
  return v;
}

export function checkProperties(v: unknown): PropertiesToModify {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw errors.argument('propertiesToModify must be an object.');
  return v as Record<string, unknown>;
}

export function checkMode(v: unknown): ReceiveMode {
  if (v !== 'peekLock' && v !== 'receiveAndDelete') throw errors.argument(`Unknown receive mode '${String(v)}'.`);
  return v;
}

export function checkSequenceNumbers(v: unknown): number[] {
  if (!Array.isArray(v)) throw errors.argument('Sequence numbers must be an array.');
  for (const n of v) if (!isCount(n)) throw errors.argument(`Invalid sequence number '${String(n)}'.`);
  return v as number[];
}

export function checkFunction(v: unknown, what: string): void {
  if (v !== undefined && typeof v !== 'function') throw errors.argument(`${what} must be a function.`);
}

export function checkReceiverOptions(options: unknown): SessionReceiverOptions {
  if (options === null || typeof options !== 'object') throw errors.argument('Receiver options must be an object.');
  const o = options as SessionReceiverOptions;
  checkMode(o.mode);
  checkFunction(o.onAvailable, 'onAvailable');
  checkFunction(o.onSessionLockLost, 'onSessionLockLost');
  return o;
}
