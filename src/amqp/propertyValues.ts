/**
 * What a client may write into a stored message when it settles: the properties-to-modify of an
 * abandon, defer or dead-letter (a modified or rejected outcome, or $management update-disposition)
 * and the dead-letter reason and description.
 *
 * The properties are written back with rhea on every later delivery (codec.ts), so a value rhea
 * cannot write would make each delivery of the message fail: one bad settlement would leave a
 * message no consumer can ever receive. Values are therefore checked here, where the client can
 * still be told: scalars only (a described scalar counts as its value), and each one written
 * once to prove that it can be. Anything else is refused with com.microsoft:argument-error.
 */
import type { PropertiesToModify } from '../broker/types.js';
import { errors } from '../broker/errors.js';
import { Described, scalarText } from './engine/index.js';
import { types } from './rhea.js';

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date) && !(v instanceof Described);

function scalarValue(key: string, v: unknown): unknown {
  const value = v instanceof Described ? v.value : v;
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    throw errors.argument(`The property '${key}' to modify must be a simple value, not a list or a map.`);
  }
  try {
    new types.Writer().write(types.wrap(value));
  } catch {
    throw errors.argument(`The property '${key}' to modify has a value that cannot be encoded: ${String(value)}.`);
  }
  return value;
}

/** The properties a settlement sets, checked; undefined when the client sent none. */
export function propertiesToModify(v: unknown): PropertiesToModify | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isMap(v)) throw errors.argument('The properties to modify must be a map.');
  // Null prototype: a key named __proto__ stays a key.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(v)) out[key] = scalarValue(key, value);
  return out;
}

/** A dead-letter reason or description: text, or absent; a list or a map is refused. */
export function settlementText(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const text = scalarText(v);
  if (text === undefined) throw errors.argument(`The ${name} must be text.`);
  return text;
}
