/**
 * The body of a stored AMQP message as plain values, for the test control plane's inspection:
 * data sections joined into bytes, or the amqp-value / amqp-sequence as decoded. A body this
 * cannot read is reported as its raw bytes rather than failing the inspection.
 */
import type { AmqpPayload } from './codec.js';
import { Decoder, Described } from './engine/index.js';

const DATA = 0x75;
const SEQUENCE = 0x76;
const VALUE = 0x77;

export interface PayloadBody {
  /** data: bytes; value / sequence: the decoded value (a list for sequences). */
  kind: 'data' | 'value' | 'sequence' | 'raw';
  value: unknown;
}

export function payloadBody(payload: unknown): PayloadBody {
  const body = (payload as AmqpPayload | undefined)?.body;
  if (!Buffer.isBuffer(body)) return { kind: 'value', value: payload ?? null };
  try {
    const d = new Decoder(body);
    const data: Buffer[] = [];
    const sequence: unknown[] = [];
    let value: PayloadBody | undefined;
    while (d.remaining() > 0) {
      const section = d.read();
      if (!(section instanceof Described)) break;
      if (section.descriptor === DATA && Buffer.isBuffer(section.value)) data.push(section.value);
      else if (section.descriptor === SEQUENCE && Array.isArray(section.value)) sequence.push(...section.value);
      else if (section.descriptor === VALUE) value = { kind: 'value', value: section.value };
    }
    if (value !== undefined) return value;
    if (sequence.length > 0) return { kind: 'sequence', value: sequence };
    return { kind: 'data', value: Buffer.concat(data) };
  } catch {
    return { kind: 'raw', value: body };
  }
}
