/**
 * Application property values of .NET types, told apart by their AMQP encoding: rhea decodes a
 * uuid and a 16-byte binary alike (a Buffer), so the raw section says which is which; a TimeSpan
 * arrives as the described type `com.microsoft:timespan` around a long of 100 ns ticks (the .NET
 * and Java SDKs write it so). The broker gets them as TypedValue, for correlation filters that
 * declare a guid or a duration.
 */
import { TypedValue } from '../broker/typedValue.js';
import { formatDuration } from '../config/duration.js';
import { bytesToUuid } from './dotnet.js';
import { types } from './rhea.js';

const UUID = 0x98;
const TIMESPAN = 'com.microsoft:timespan';
const TICKS_PER_MS = 10_000;

interface Described {
  value: unknown;
  descriptor?: { value: unknown };
}

function isTimespan(v: unknown): v is Described {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && (v as Described).descriptor?.value === TIMESPAN;
}

function timespan(v: Described): unknown {
  const ticks = typeof v.value === 'number' ? v.value : Buffer.isBuffer(v.value) && v.value.length === 8 ? Number(v.value.readBigInt64BE()) : NaN;
  if (!Number.isFinite(ticks) || ticks < 0) return v;
  try {
    return new TypedValue('duration', formatDuration(Math.trunc(ticks / TICKS_PER_MS)));
  } catch {
    // Beyond TimeSpan.MaxValue: no duration to compare with, left as it came.
    return v;
  }
}

/**
 * `decoded` (rhea's reading of the application-properties section `raw`) with uuid and TimeSpan
 * values as TypedValue; the same object when it holds none.
 */
export function typedApplicationProperties(raw: Buffer | undefined, decoded: Record<string, unknown>): Record<string, unknown> {
  const values = Object.values(decoded);
  const hasTimespan = values.some(isTimespan);
  const maybeUuid = raw !== undefined && values.some((v) => Buffer.isBuffer(v) && v.length === 16);
  if (!hasTimespan && !maybeUuid) return decoded;
  const out: Record<string, unknown> = { ...decoded };
  for (const [k, v] of Object.entries(out)) if (isTimespan(v)) out[k] = timespan(v);
  if (maybeUuid) {
    for (const k of uuidKeys(raw!)) {
      const v = out[k];
      if (Buffer.isBuffer(v) && v.length === 16) out[k] = new TypedValue('guid', bytesToUuid(v));
    }
  }
  return out;
}

/** The keys whose values the section encodes as uuid (the section was checked by the bounded decoder). */
function uuidKeys(raw: Buffer): string[] {
  const reader = new types.Reader(raw);
  const map = reader.read_constructor() as { typecode: number };
  const width = map.typecode === 0xc1 ? 1 : map.typecode === 0xd1 ? 4 : 0;
  if (width === 0) return [];
  const { count } = reader.read_size_count(width) as { count: number };
  const keys: string[] = [];
  for (let i = 0; i + 1 < count; i += 2) {
    const key = reader.read();
    if (raw[reader.position as number] === UUID) keys.push(String(key));
    reader.read();
  }
  return keys;
}
