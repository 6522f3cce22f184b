/**
 * A bounded AMQP 1.0 value decoder (types part, section 1.6). Every count a peer announces is
 * checked against the bytes that are actually left before anything is allocated: a compound
 * cannot hold more elements than it has bytes, and even a zero-width element (null, true, list0
 * in an array) is charged one byte, so a 46-byte frame can never ask for four billion elements.
 * Nesting is capped too, so hostile depth cannot exhaust the stack.
 *
 * Values come out plain: numbers, strings, Buffers, arrays, null-prototype objects for maps
 * (keys as text) and `Described` for described types. A described value keeps the bytes it was
 * read from, so the engine can echo a client's terminus filter in the client's own encoding.
 */

export class EncodingError extends Error {}

export class Described {
  constructor(
    /** A ulong descriptor as a number, a symbol descriptor as a string. */
    readonly descriptor: number | string,
    readonly value: unknown,
    /** The whole described value as it was encoded. */
    readonly raw: Buffer,
  ) {}
}

export type AmqpMap = Record<string, unknown>;

const MAX_DEPTH = 64;

export class Decoder {
  pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new EncodingError(`value runs past the end of its frame (needs ${n} bytes at ${this.pos})`);
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  read(depth = 0): unknown {
    const code = this.u8();
    if (code === 0x00) {
      if (depth >= MAX_DEPTH) throw new EncodingError('values nested too deeply');
      const start = this.pos - 1;
      const descriptor = this.read(depth + 1);
      if (typeof descriptor !== 'number' && typeof descriptor !== 'string') throw new EncodingError('a descriptor must be a ulong or a symbol');
      const value = this.read(depth + 1);
      return new Described(descriptor, value, this.buf.subarray(start, this.pos));
    }
    return this.readValue(code, depth);
  }

  /** Reads one value whose constructor byte has already been consumed. */
  private readValue(code: number, depth: number): unknown {
    const b = this.buf;
    switch (code) {
      case 0x40: return null;
      case 0x41: return true;
      case 0x42: return false;
      case 0x43: case 0x44: return 0;
      case 0x45: return [];
      case 0x56: return this.u8() !== 0;
      case 0x50: case 0x52: case 0x53: return this.u8();
      case 0x51: case 0x54: { this.need(1); return b.readInt8(this.pos++); }
      case 0x55: { this.need(1); return b.readInt8(this.pos++); }
      case 0x60: { this.need(2); const v = b.readUInt16BE(this.pos); this.pos += 2; return v; }
      case 0x61: { this.need(2); const v = b.readInt16BE(this.pos); this.pos += 2; return v; }
      case 0x70: return this.u32();
      case 0x71: { this.need(4); const v = b.readInt32BE(this.pos); this.pos += 4; return v; }
      case 0x72: { this.need(4); const v = b.readFloatBE(this.pos); this.pos += 4; return v; }
      case 0x73: { this.need(4); const v = String.fromCodePoint(Math.min(b.readUInt32BE(this.pos), 0x10ffff)); this.pos += 4; return v; }
      case 0x74: { this.need(4); const v = b.subarray(this.pos, this.pos + 4); this.pos += 4; return v; }
      case 0x80: { this.need(8); const v = Number(b.readBigUInt64BE(this.pos)); this.pos += 8; return v; }
      case 0x81: { this.need(8); const v = Number(b.readBigInt64BE(this.pos)); this.pos += 8; return v; }
      case 0x82: { this.need(8); const v = b.readDoubleBE(this.pos); this.pos += 8; return v; }
      case 0x83: { this.need(8); const v = new Date(Number(b.readBigInt64BE(this.pos))); this.pos += 8; return v; }
      case 0x84: { this.need(8); const v = b.subarray(this.pos, this.pos + 8); this.pos += 8; return v; }
      case 0x94: case 0x98: { this.need(16); const v = b.subarray(this.pos, this.pos + 16); this.pos += 16; return v; }
      case 0xa0: return this.bytes(this.u8());
      case 0xb0: return this.bytes(this.u32());
      case 0xa1: return this.bytes(this.u8()).toString('utf8');
      case 0xb1: return this.bytes(this.u32()).toString('utf8');
      case 0xa3: return this.bytes(this.u8()).toString('latin1');
      case 0xb3: return this.bytes(this.u32()).toString('latin1');
      case 0xc0: case 0xd0: case 0xc1: case 0xd1: return this.compound(code, depth);
      case 0xe0: case 0xf0: return this.array(code === 0xe0, depth);
      default: throw new EncodingError(`unknown type constructor 0x${code.toString(16)}`);
    }
  }

  private bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Reads the size and count of a compound, checking the count against the bytes it spans. */
  private header(small: boolean): { count: number; end: number } {
    const size = small ? this.u8() : this.u32();
    this.need(size);
    const end = this.pos + size;
    const countBytes = small ? 1 : 4;
    if (size < countBytes) throw new EncodingError('compound too small for its count');
    const count = small ? this.u8() : this.u32();
    if (count > end - this.pos) throw new EncodingError(`compound announces ${count} elements in ${end - this.pos} bytes`);
    return { count, end };
  }

  private compound(code: number, depth: number): unknown {
    if (depth >= MAX_DEPTH) throw new EncodingError('values nested too deeply');
    const { count, end } = this.header(code === 0xc0 || code === 0xc1);
    const inner = new Decoder(this.buf, this.pos, end);
    let result: unknown;
    if (code === 0xc0 || code === 0xd0) {
      const list: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) list[i] = inner.read(depth + 1);
      result = list;
    } else {
      if (count % 2 !== 0) throw new EncodingError('a map needs an even number of elements');
      const map: AmqpMap = Object.create(null) as AmqpMap;
      for (let i = 0; i < count; i += 2) {
        const key = inner.read(depth + 1);
        map[mapKey(key)] = inner.read(depth + 1);
      }
      result = map;
    }
    if (inner.pos !== end) throw new EncodingError('compound size does not match its elements');
    this.pos = end;
    return result;
  }

  private array(small: boolean, depth: number): unknown[] {
    if (depth >= MAX_DEPTH) throw new EncodingError('values nested too deeply');
    const { count, end } = this.header(small);
    const inner = new Decoder(this.buf, this.pos, end);
    let code = inner.u8();
    let descriptor: unknown;
    if (code === 0x00) {
      descriptor = inner.read(depth + 1);
      code = inner.u8();
    }
    // The constructor is shared, so a zero-width element costs nothing on the wire: the count
    // was already bounded by the array's byte size above.
    const out: unknown[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const v = inner.readValue(code, depth + 1);
      out[i] = descriptor === undefined ? v : new Described(descriptor as number | string, v, Buffer.alloc(0));
    }
    if (inner.pos !== end) throw new EncodingError('array size does not match its elements');
    this.pos = end;
    return out;
  }
}

/**
 * The text of a scalar value (string, symbol, number, boolean, binary, timestamp, or a described
 * one of those), or undefined for null and for compounds. Where the engine or its user wants text
 * from a peer's value, this and never String(): a map decodes to a null-prototype object, and
 * String() of one, or of a list holding one, throws a TypeError.
 */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return String(v);
  if (v instanceof Described) return scalarText(v.value);
  return undefined;
}

/** Maps key their entries by text: a compound key (no map the engine reads has one) is refused. */
function mapKey(key: unknown): string {
  const text = key === null ? 'null' : scalarText(key);
  if (text === undefined) throw new EncodingError('a map key must be a scalar value');
  return text;
}

/**
 * Walks an encoded region without building values, enforcing the same bounds: used before a
 * message section is handed to rhea's decoder, which trusts the counts it reads.
 */
export function checkEncoding(buf: Buffer, start = 0, end = buf.length): void {
  const d = new Decoder(buf, start, end);
  while (d.remaining() > 0) d.read();
}
