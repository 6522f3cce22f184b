/**
 * Finds where a frame's encoded values are, so that mutations can aim at the bytes a decoder
 * trusts: compound sizes and counts, array element constructors, string and symbol bytes, and
 * descriptor codes. A mutation that lands on those reaches code a random bit flip rarely does
 * (a count of 2^32 inside a valid frame, a performative code swapped for another).
 *
 * The walk follows AMQP 1.0 part 1.6 over the performative and, for transfers, the message
 * sections after it; binary values that start like a described value (the messages inside a batch)
 * are walked too. It stops quietly at the first byte it cannot read: frames from the capture are
 * valid, and a partial list of sites is still useful.
 */

export interface CompoundSite {
  /** Offset of the constructor byte (0xc0, 0xc1, 0xd0, 0xd1, 0xe0, 0xf0). */
  at: number;
  /** Width of the size and count fields: 1 (list8, map8, array8) or 4. */
  width: 1 | 4;
  /** Offset of the element constructor, for arrays. */
  elementAt?: number;
}

export interface Sites {
  compounds: CompoundSite[];
  /** Offset and length of the bytes of each string (0xa1, 0xb1) and symbol (0xa3, 0xb3). */
  strings: { at: number; length: number; utf8: boolean }[];
  /** Offset of each small-ulong descriptor code (the byte after 0x00 0x53). */
  descriptors: number[];
  /** Where each value starts (its constructor) and ends, described values and their parts included. */
  values: { at: number; end: number }[];
}

const FIXED_WIDTH: Record<number, number> = {
  0x40: 0, 0x41: 0, 0x42: 0, 0x43: 0, 0x44: 0, 0x45: 0,
  0x50: 1, 0x51: 1, 0x52: 1, 0x53: 1, 0x54: 1, 0x55: 1, 0x56: 1,
  0x60: 2, 0x61: 2,
  0x70: 4, 0x71: 4, 0x72: 4, 0x73: 4, 0x74: 4,
  0x80: 8, 0x81: 8, 0x82: 8, 0x83: 8, 0x84: 8,
  0x94: 16, 0x98: 16,
};

class Stop extends Error {}

class Walker {
  readonly sites: Sites = { compounds: [], strings: [], descriptors: [], values: [] };

  constructor(private readonly buf: Buffer) {}

  private u8(at: number): number {
    if (at >= this.buf.length) throw new Stop();
    return this.buf[at]!;
  }

  private u32(at: number): number {
    if (at + 4 > this.buf.length) throw new Stop();
    return this.buf.readUInt32BE(at);
  }

  /** Walks one value at `at`; returns the offset after it. */
  value(at: number, depth: number): number {
    if (depth > 32) throw new Stop();
    const code = this.u8(at);
    let end: number;
    if (code === 0x00) {
      if (this.u8(at + 1) === 0x53) this.sites.descriptors.push(at + 2);
      const afterDescriptor = this.value(at + 1, depth + 1);
      end = this.value(afterDescriptor, depth + 1);
    } else end = this.body(code, at + 1, depth);
    this.sites.values.push({ at, end });
    return end;
  }

  /** Walks the bytes of a value whose constructor `code` sits just before `at`. */
  private body(code: number, at: number, depth: number): number {
    const fixed = FIXED_WIDTH[code];
    if (fixed !== undefined) return at + fixed;
    switch (code) {
      case 0xa0: case 0xa1: case 0xa3: return this.variable(code, at, this.u8(at), 1);
      case 0xb0: case 0xb1: case 0xb3: return this.variable(code, at, this.u32(at), 4);
      case 0xc0: case 0xc1: case 0xd0: case 0xd1: return this.compound(code, at, depth);
      case 0xe0: case 0xf0: return this.array(code, at, depth);
      default: throw new Stop();
    }
  }

  private variable(code: number, at: number, length: number, width: number): number {
    const start = at + width;
    if (start + length > this.buf.length) throw new Stop();
    if (code === 0xa1 || code === 0xb1 || code === 0xa3 || code === 0xb3) this.sites.strings.push({ at: start, length, utf8: code === 0xa1 || code === 0xb1 });
    else if (length > 2 && this.buf[start] === 0x00) this.sequence(start, start + length, 1); // a message in a batch
    return start + length;
  }

  private compound(code: number, at: number, depth: number): number {
    const width = code === 0xc0 || code === 0xc1 ? 1 : 4;
    this.sites.compounds.push({ at: at - 1, width });
    const size = width === 1 ? this.u8(at) : this.u32(at);
    const count = width === 1 ? this.u8(at + 1) : this.u32(at + 4);
    const end = at + width + size;
    let pos = at + 2 * width;
    for (let i = 0; i < count && pos < end; i++) pos = this.value(pos, depth + 1);
    return end;
  }

  private array(code: number, at: number, depth: number): number {
    const width = code === 0xe0 ? 1 : 4;
    const site: CompoundSite = { at: at - 1, width, elementAt: at + 2 * width };
    this.sites.compounds.push(site);
    const size = width === 1 ? this.u8(at) : this.u32(at);
    const count = width === 1 ? this.u8(at + 1) : this.u32(at + 4);
    const end = at + width + size;
    let pos = at + 2 * width;
    let element = this.u8(pos);
    if (element === 0x00) {
      pos = this.value(pos + 1, depth + 1);
      element = this.u8(pos);
      site.elementAt = pos;
    }
    pos++;
    for (let i = 0; i < count && pos < end; i++) pos = this.body(element, pos, depth + 1);
    return end;
  }

  /** Walks consecutive values from `start` to `end`. */
  sequence(start: number, end: number, depth: number): void {
    let pos = start;
    while (pos < end) pos = this.value(pos, depth);
  }
}

/** The sites of one frame (its 8-byte header included in the offsets). */
export function scanFrame(frame: Buffer): Sites {
  const walker = new Walker(frame);
  const doff = frame.length >= 8 ? frame[4]! * 4 : frame.length;
  try {
    walker.sequence(doff, frame.length, 0);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return walker.sites;
}
