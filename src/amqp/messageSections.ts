/**
 * The sections of a message a client sends, checked before anything keeps or reads them.
 *
 * What each section must be comes from AMQP 1.0 section 3.2. The emulator keeps the client's
 * annotations as the items rhea decoded and writes them back on every delivery, rewrites the
 * properties when they change, and delivers the body as it came: a section of another shape (a
 * binary's bytes read as annotation items), a section the format does not have, or one that does
 * not parse would make every delivery of the stored message fail, in the emulator or in the
 * receiving client. So it is refused at the door, with the bounded decoder (rhea trusts the counts
 * it reads).
 */
import { Decoder, scalarText } from './engine/decoder.js';

export class MessageDecodeError extends Error {}

const SHAPES = { list: new Set([0x45, 0xc0, 0xd0]), map: new Set([0xc1, 0xd1]), binary: new Set([0xa0, 0xb0]) };

const SECTIONS: Record<number, [name: string, shape: keyof typeof SHAPES | 'any']> = {
  0x70: ['header', 'list'],
  0x71: ['delivery-annotations', 'map'],
  0x72: ['message-annotations', 'map'],
  0x73: ['properties', 'list'],
  0x74: ['application-properties', 'map'],
  0x75: ['data', 'binary'],
  0x76: ['amqp-sequence', 'list'],
  0x77: ['amqp-value', 'any'],
  0x78: ['footer', 'map'],
};

/** Data, amqp-sequence, amqp-value, and the footer: what is delivered as it came. */
const BODY_SECTIONS = new Set([0x75, 0x76, 0x77, 0x78]);

/** Checks every section of an encoded message; returns where the body (or footer) begins. */
export function checkSections(raw: Buffer): number {
  const d = new Decoder(raw);
  let bodyStart = raw.length;
  try {
    while (d.remaining() > 0) {
      const at = d.pos;
      if (raw[at] !== 0x00) throw new MessageDecodeError('expected a described message section');
      const descriptor = new Decoder(raw, at + 1);
      const code = descriptor.read();
      const expected = typeof code === 'number' ? SECTIONS[code] : undefined;
      if (!expected) {
        throw new MessageDecodeError(`a message has no section ${typeof code === 'number' ? `0x${code.toString(16)}` : (scalarText(code) ?? 'of that descriptor')}`);
      }
      const [name, shape] = expected;
      if (shape !== 'any' && !SHAPES[shape].has(raw[descriptor.pos]!)) throw new MessageDecodeError(`the ${name} section must be a ${shape}`);
      if (bodyStart === raw.length && BODY_SECTIONS.has(code as number)) bodyStart = at;
      d.read();
    }
  } catch (e) {
    if (e instanceof MessageDecodeError) throw e;
    throw new MessageDecodeError(`malformed message: ${(e as Error).message}`);
  }
  return bodyStart;
}
