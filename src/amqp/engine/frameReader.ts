/**
 * Splits a byte stream into protocol headers and frames (AMQP 1.0 sections 2.2 and 2.3.1). A
 * frame's announced size is checked against the largest frame the engine accepts before any byte
 * of it is buffered; bytes are only copied when a frame straddles two socket reads.
 */
import { FramingError } from './performatives.js';

export interface Frame {
  kind: 'frame';
  type: number;
  channel: number;
  /** The performative and any payload (the bytes after the extended header). */
  body: Buffer;
}

export interface Header {
  kind: 'header';
  protocolId: number;
  version: string;
}

const AMQP = Buffer.from('AMQP', 'latin1');

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(private readonly maxFrameSize: number) {}

  push(chunk: Buffer): void {
    const left = this.buf.length - this.pos;
    this.buf = left === 0 ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.pos = 0;
  }

  /** The next complete header (when one is expected) or frame, or undefined until more bytes come. */
  next(expectHeader: boolean): Header | Frame | undefined {
    const b = this.buf;
    const left = b.length - this.pos;
    if (expectHeader) {
      if (left < 8) {
        if (left > 0 && !AMQP.subarray(0, Math.min(left, 4)).equals(b.subarray(this.pos, this.pos + Math.min(left, 4)))) {
          return this.header(b.subarray(this.pos));
        }
        return undefined;
      }
      const h = b.subarray(this.pos, this.pos + 8);
      this.pos += 8;
      return this.header(h);
    }
    if (left < 8) return undefined;
    const size = b.readUInt32BE(this.pos);
    if (size < 8) throw new FramingError(`frame size ${size} is below the minimum of 8`);
    if (size > this.maxFrameSize) throw new FramingError(`frame of ${size} bytes exceeds the maximum frame size ${this.maxFrameSize}`);
    if (left < size) return undefined;
    const doff = b[this.pos + 4]!;
    if (doff < 2 || doff * 4 > size) throw new FramingError(`data offset ${doff} is invalid for a frame of ${size} bytes`);
    const frame: Frame = {
      kind: 'frame',
      type: b[this.pos + 5]!,
      channel: b.readUInt16BE(this.pos + 6),
      body: b.subarray(this.pos + doff * 4, this.pos + size),
    };
    this.pos += size;
    return frame;
  }

  private header(h: Buffer): Header {
    if (h.length < 8 || !h.subarray(0, 4).equals(AMQP)) return { kind: 'header', protocolId: -1, version: 'invalid' };
    return { kind: 'header', protocolId: h[4]!, version: `${h[5]}.${h[6]}.${h[7]}` };
  }
}
