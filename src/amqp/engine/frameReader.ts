/**
 * Splits a byte stream into protocol headers and frames (AMQP 1.0 sections 2.2 and 2.3.1). A
 * frame's announced size is checked against the largest frame the engine accepts before any byte
 * of it is buffered; bytes are only copied when a frame straddles two socket reads.
 */
import { FramingError } from './performatives.js';

/** A frame, as a region of a buffer the reader holds: valid only until the next call to `next`. */
export interface Frame {
  kind: 'frame';
  type: number;
  channel: number;
  /** The performative and any payload (the bytes after the extended header): buf[start, end). */
  buf: Buffer;
  start: number;
  end: number;
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
  /** A frame that straddled two reads, copied whole: read before anything in `buf`. */
  private straddled?: Buffer;
  /** The frame `next` returns, reused: one object per connection instead of one per frame. */
  private readonly frame: Frame = { kind: 'frame', type: 0, channel: 0, buf: this.buf, start: 0, end: 0 };

  constructor(private readonly maxFrameSize: number) {}

  push(chunk: Buffer): void {
    const left = this.buf.length - this.pos;
    if (left === 0 && !this.straddled) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    // A frame started in the last read and this one completes it: copy that frame alone, not
    // the rest of this read (a socket read holds many frames, and only one can straddle).
    if (left >= 8 && !this.straddled) {
      const size = this.buf.readUInt32BE(this.pos);
      if (size >= 8 && size <= this.maxFrameSize && size - left <= chunk.length) {
        this.straddled = Buffer.concat([this.buf.subarray(this.pos), chunk.subarray(0, size - left)], size);
        this.buf = chunk;
        this.pos = size - left;
        return;
      }
    }
    this.unstraddle(chunk);
  }

  /** Puts everything not yet read back into one buffer (the rare cases: big frames, headers). */
  private unstraddle(chunk?: Buffer): void {
    const parts = [this.buf.subarray(this.pos)];
    if (this.straddled) parts.unshift(this.straddled);
    if (chunk) parts.push(chunk);
    this.straddled = undefined;
    this.buf = Buffer.concat(parts);
    this.pos = 0;
  }

  /** The next complete header (when one is expected) or frame, or undefined until more bytes come. */
  next(expectHeader: boolean): Header | Frame | undefined {
    if (this.straddled) {
      if (expectHeader) this.unstraddle();
      else {
        const s = this.straddled;
        this.straddled = undefined;
        return this.frameAt(s, 0, s.length);
      }
    }
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
    const frame = this.frameAt(b, this.pos, size);
    this.pos += size;
    return frame;
  }

  /** The frame of `size` bytes at `pos` of `b` (its size already checked against the limits). */
  private frameAt(b: Buffer, pos: number, size: number): Frame {
    const doff = b[pos + 4]!;
    if (doff < 2 || doff * 4 > size) throw new FramingError(`data offset ${doff} is invalid for a frame of ${size} bytes`);
    const f = this.frame;
    f.type = b[pos + 5]!;
    f.channel = b.readUInt16BE(pos + 6);
    f.buf = b;
    f.start = pos + doff * 4;
    f.end = pos + size;
    return f;
  }

  private header(h: Buffer): Header {
    if (h.length < 8 || !h.subarray(0, 4).equals(AMQP)) return { kind: 'header', protocolId: -1, version: 'invalid' };
    return { kind: 'header', protocolId: h[4]!, version: `${h[5]}.${h[6]}.${h[7]}` };
  }
}
