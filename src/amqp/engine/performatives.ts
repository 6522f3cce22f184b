/**
 * The performatives of AMQP 1.0 part 2 (transport) and 5.3 (SASL): how each is read from a
 * decoded field list, and how each is written. Every performative is written with its full field
 * list, explicit nulls included: pyamqp reads fields by position without a length check, and
 * Azure always writes them all. Numeric fields some SDKs read unconditionally (max-frame-size,
 * channel-max, idle-time-out, handle-max, windows, initial-delivery-count) are never null.
 */
import { Described, EncodingError, scalarText } from './decoder.js';
import type { Encoder } from './encoder.js';

export const P = {
  open: 0x10, begin: 0x11, attach: 0x12, flow: 0x13, transfer: 0x14, disposition: 0x15, detach: 0x16, end: 0x17, close: 0x18,
  saslMechanisms: 0x40, saslInit: 0x41, saslChallenge: 0x42, saslResponse: 0x43, saslOutcome: 0x44,
} as const;

export const NAMES: Record<number, string> = Object.fromEntries(Object.entries(P).map(([k, v]) => [v, k]));

export const OUTCOME = { accepted: 0x24, rejected: 0x25, released: 0x26, modified: 0x27 } as const;
/** AMQP 1.0 part 4 (transactions): the coordinator's messages and its delivery states. */
export const TXN = { declare: 0x31, discharge: 0x32, declared: 0x33, transactionalState: 0x34 } as const;
const ERROR = 0x1d;
const SOURCE = 0x28;
const TARGET = 0x29;

export interface AmqpError {
  condition: string;
  description?: string | null;
  info?: Record<string, unknown> | null;
}

export class FramingError extends Error {
  constructor(
    message: string,
    readonly condition = 'amqp:connection:framing-error',
  ) {
    super(message);
  }
}

// ---- reading ---------------------------------------------------------------------------------

/** A decoded performative: its code and its positional fields. */
export interface Performative {
  code: number;
  fields: unknown[];
}

export function toPerformative(v: unknown): Performative {
  if (!(v instanceof Described) || typeof v.descriptor !== 'number') throw new FramingError('a frame body must start with a described performative');
  const fields = v.value === null ? [] : v.value;
  if (!Array.isArray(fields)) throw new FramingError(`performative 0x${v.descriptor.toString(16)} is not a list`);
  return { code: v.descriptor, fields };
}

const bad = (field: string, name: string) => new EncodingError(`${name}: field '${field}' has the wrong type`);

export function uintField(p: Performative, i: number, name: string, field: string): number | undefined {
  const v = p.fields[i];
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bad(field, name);
  return v;
}

export function requiredUint(p: Performative, i: number, name: string, field: string): number {
  const v = uintField(p, i, name, field);
  if (v === undefined) throw new EncodingError(`${name}: mandatory field '${field}' is missing`);
  return v;
}

export function boolField(p: Performative, i: number): boolean {
  return p.fields[i] === true;
}

export function stringField(p: Performative, i: number, name: string, field: string): string | undefined {
  const v = p.fields[i];
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(field, name);
  return v;
}

export function bufferField(p: Performative, i: number): Buffer | undefined {
  const v = p.fields[i];
  return Buffer.isBuffer(v) ? v : undefined;
}

/** An outcome or delivery state: its descriptor code and fields, or undefined. */
export function stateOf(v: unknown): { code: number; fields: unknown[] } | undefined {
  if (!(v instanceof Described) || typeof v.descriptor !== 'number') return undefined;
  return { code: v.descriptor, fields: Array.isArray(v.value) ? v.value : [] };
}

/** Reads an AMQP error (as carried by rejected, detach, end and close). */
export function errorOf(v: unknown): AmqpError | undefined {
  if (!(v instanceof Described) || !Array.isArray(v.value)) return undefined;
  const [condition, description, info] = v.value as unknown[];
  return {
    // A symbol by the spec; what a peer sends instead is still only read, never trusted.
    condition: scalarText(condition) ?? 'amqp:decode-error',
    description: typeof description === 'string' ? description : null,
    info: info && typeof info === 'object' && !Array.isArray(info) && !Buffer.isBuffer(info) ? (info as Record<string, unknown>) : null,
  };
}

/** A source or target terminus: the address and the filter set (sources only). */
export interface Terminus {
  address?: string;
  filter?: Record<string, unknown>;
  /** The client asks the peer to create the node (JMS temporary queues and topics). */
  dynamic?: boolean;
  /** Source only: 'copy' asks to browse (JMS QueueBrowser) rather than consume. */
  distributionMode?: string;
  /** The target is a transaction coordinator (amqp:coordinator:list), not a node. */
  coordinator?: boolean;
}

const COORDINATOR = 0x30;

/** A source or target (or coordinator) as the emulator needs it; the layouts share fields 0-5. */
export function terminusOf(v: unknown): Terminus | undefined {
  if (!(v instanceof Described) || !Array.isArray(v.value)) return undefined;
  if (v.descriptor === COORDINATOR || v.descriptor === 'amqp:coordinator:list') return { coordinator: true };
  const f = v.value as unknown[];
  const address = typeof f[0] === 'string' ? f[0] : Buffer.isBuffer(f[0]) ? f[0].toString('utf8') : undefined;
  const filter = f[7] && typeof f[7] === 'object' && !Array.isArray(f[7]) && !Buffer.isBuffer(f[7]) ? (f[7] as Record<string, unknown>) : undefined;
  const t: Terminus = { address, filter };
  if (f[4] === true) t.dynamic = true;
  // Field 6 of a target is its capabilities, which may be a single symbol.
  const isSource = v.descriptor === SOURCE || v.descriptor === 'amqp:source:list';
  if (isSource && typeof f[6] === 'string') t.distributionMode = f[6];
  return t;
}

// ---- writing ---------------------------------------------------------------------------------

/** Writes a described list performative: `fill` writes each field and returns the count. */
export function performative(e: Encoder, code: number, fill: () => number): void {
  e.descriptor(code);
  const end = e.startCompound(0xd0);
  end(fill());
}

export function writeError(e: Encoder, err: AmqpError | null | undefined): void {
  if (!err) return e.null();
  e.descriptor(ERROR);
  const end = e.startCompound(0xd0);
  e.symbol(err.condition);
  e.string(err.description ?? null);
  e.symbolMap(err.info ?? null);
  end(3);
}

/** Writes a source (with an optional filter set) or a target terminus, or null. */
export function writeTerminus(e: Encoder, kind: 'source' | 'target', t: Terminus | null | undefined): void {
  if (!t) return e.null();
  e.descriptor(kind === 'source' ? SOURCE : t.coordinator ? COORDINATOR : TARGET);
  const end = e.startCompound(0xd0);
  if (kind === 'target' && t.coordinator) {
    // A coordinator target (part 4) has only capabilities; the client's are not echoed.
    e.null();
    end(1);
    return;
  }
  e.string(t.address ?? null);
  if (kind === 'target') {
    end(1);
    return;
  }
  for (let i = 0; i < 6; i++) e.null();
  e.symbolMap(t.filter ?? null);
  end(8);
}

/** The encoded outcomes the engine sends most, built once. */
export function encodedOutcome(e: Encoder, code: number, write?: () => number): Buffer {
  e.reset();
  e.descriptor(code);
  const end = e.startCompound(0xd0);
  end(write ? write() : 0);
  return Buffer.from(e.buf.subarray(0, e.at));
}
