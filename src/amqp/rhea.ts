/**
 * rhea, loaded once and adjusted for Service Bus clients. Every module of src/amqp imports rhea
 * from here so the adjustments are in place before the first frame is written.
 */
import { createRequire } from 'node:module';
import rhea from 'rhea';

const require = createRequire(import.meta.url);
// rhea keeps its frame definitions in an internal module that its public typings do not expose.
const frames = require('rhea/lib/frames.js') as Record<string, (fields: object) => { value: unknown[] }>;

/**
 * Field counts of each performative. pyamqp indexes performative fields by position with no
 * length check, and real Azure always writes full lists; rhea stops at the last field set, and
 * writes list0 for an empty end/close. Padding with nulls makes both clients happy
 * (PROTOCOL.md §1.5).
 */
const FIELD_COUNTS: Record<string, number> = {
  open: 10,
  begin: 8,
  attach: 14,
  flow: 11,
  transfer: 11,
  disposition: 6,
  detach: 3,
  end: 1,
  close: 1,
};

let patched = false;

export function patchRhea(): void {
  if (patched) return;
  patched = true;
  // The broker stores the client's encoded sections verbatim (src/amqp/codec.ts); rhea only
  // hands out the decoded message for format-0 transfers, so keep the bytes beside it.
  const messageModule = require('rhea/lib/message.js') as { decode: (b: Buffer) => object };
  const decode = messageModule.decode;
  messageModule.decode = (buffer: Buffer) => {
    const m = decode(buffer);
    Object.defineProperty(m, RAW_BYTES, { value: buffer });
    return m;
  };
  for (const [name, count] of Object.entries(FIELD_COUNTS)) {
    const proto = Object.getPrototypeOf(frames[name]!({})) as { described: (this: { value: unknown[] }) => unknown };
    const described = proto.described;
    proto.described = function (this: { value: unknown[] }) {
      // rhea encodes undefined entries as null, so extending the array is enough.
      for (let i = this.value.length; i < count; i++) this.value.push(undefined);
      return described.call(this);
    };
  }
}

/** Where a decoded message keeps the bytes it came from (see patchRhea). */
export const RAW_BYTES = Symbol.for('servicebus-emulator.raw-bytes');

patchRhea();

export { rhea };
// rhea's typings omit Reader, Writer and the section constructors that the codec needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const types: any = rhea.types;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const messageCodec: any = rhea.message;
