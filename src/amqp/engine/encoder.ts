/**
 * An AMQP 1.0 value writer for the performatives the engine sends. It writes into one growing
 * buffer that the connection reuses for every frame, so writing a frame allocates nothing once
 * the buffer has grown to the connection's usual frame size. Compound sizes are patched in when
 * the compound is finished (always the 32-bit forms: a few bytes more, never a second pass).
 */
import { Described } from './decoder.js';

export class Encoder {
  buf: Buffer;
  at = 0;
  /**
   * Where the bytes not yet taken begin: the connection hands `buf[start, at)` to the socket and
   * goes on writing after it, so a flush needs no new buffer while this one has room.
   */
  start = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reset(): void {
    this.at = this.start;
  }

  /** Bytes written since `start`. */
  get length(): number {
    return this.at - this.start;
  }

  /** Hands over `buf[start, at)`; writing goes on after it, or in a fresh buffer when little room is left. */
  take(minRoom: number, fresh: () => Buffer): Buffer {
    const bytes = this.buf.subarray(this.start, this.at);
    if (this.buf.length - this.at < minRoom) {
      this.buf = fresh();
      this.at = 0;
    }
    this.start = this.at;
    return bytes;
  }

  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    // Offsets stay where they were (frames patch their sizes by offset); only the bytes not yet
    // taken are copied.
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, this.start, this.start, this.at);
    this.buf = bigger;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  u32At(pos: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, pos);
  }

  raw(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.at);
    this.at += b.length;
  }

  null(): void {
    this.byte(0x40);
  }

  bool(v: boolean | null | undefined): void {
    if (v === null || v === undefined) this.byte(0x40);
    else this.byte(v ? 0x41 : 0x42);
  }

  ubyte(v: number | null | undefined): void {
    if (v === null || v === undefined) return this.null();
    this.byte(0x50);
    this.byte(v & 0xff);
  }

  ushort(v: number | null | undefined): void {
    if (v === null || v === undefined) return this.null();
    this.room(3);
    this.buf[this.at++] = 0x60;
    this.buf.writeUInt16BE(v & 0xffff, this.at);
    this.at += 2;
  }

  uint(v: number | null | undefined): void {
    if (v === null || v === undefined) return this.null();
    v = v >>> 0;
    if (v === 0) return this.byte(0x43);
    if (v < 256) {
      this.room(2);
      this.buf[this.at++] = 0x52;
      this.buf[this.at++] = v;
      return;
    }
    this.room(5);
    this.buf[this.at++] = 0x70;
    this.buf.writeUInt32BE(v, this.at);
    this.at += 4;
  }

  ulong(v: number | null | undefined): void {
    if (v === null || v === undefined) return this.null();
    if (v === 0) return this.byte(0x44);
    if (v < 256) {
      this.byte(0x53);
      this.byte(v);
      return;
    }
    this.room(9);
    this.buf[this.at++] = 0x80;
    this.buf.writeBigUInt64BE(BigInt(Math.trunc(v)), this.at);
    this.at += 8;
  }

  long(v: number): void {
    this.room(9);
    this.buf[this.at++] = 0x81;
    this.buf.writeBigInt64BE(BigInt(Math.trunc(v)), this.at);
    this.at += 8;
  }

  private variable(small: number, large: number, b: Buffer): void {
    if (b.length < 256) {
      this.byte(small);
      this.byte(b.length);
    } else {
      this.byte(large);
      this.room(4);
      this.buf.writeUInt32BE(b.length, this.at);
      this.at += 4;
    }
    this.raw(b);
  }

  binary(b: Buffer | null | undefined): void {
    if (!b) return this.null();
    this.variable(0xa0, 0xb0, b);
  }

  string(s: string | null | undefined): void {
    if (s === null || s === undefined) return this.null();
    this.variable(0xa1, 0xb1, Buffer.from(s, 'utf8'));
  }

  symbol(s: string | null | undefined): void {
    if (s === null || s === undefined) return this.null();
    this.variable(0xa3, 0xb3, Buffer.from(s, 'latin1'));
  }

  /** A symbol array (capabilities, locales, SASL mechanisms). */
  symbols(list: readonly string[] | null | undefined): void {
    if (!list) return this.null();
    const end = this.startCompound(0xf0);
    this.byte(0xb3);
    for (const s of list) {
      const b = Buffer.from(s, 'latin1');
      this.room(4);
      this.buf.writeUInt32BE(b.length, this.at);
      this.at += 4;
      this.raw(b);
    }
    end(list.length);
  }

  /** Starts a list32, map32 or array32; the returned function patches size and count. */
  startCompound(ctor: 0xd0 | 0xd1 | 0xf0): (count: number) => void {
    this.byte(ctor);
    this.room(8);
    const sizeAt = this.at;
    this.at += 8;
    return (count) => {
      this.u32At(sizeAt, this.at - sizeAt - 4);
      this.u32At(sizeAt + 4, count);
    };
  }

  /** The `0x00 0x53 code` prefix of a described list with a small-ulong descriptor. */
  descriptor(code: number): void {
    this.room(3);
    this.buf[this.at++] = 0x00;
    this.buf[this.at++] = 0x53;
    this.buf[this.at++] = code;
  }

  /**
   * A loosely typed value (terminus filters, link properties, error info): strings as strings,
   * integers as long, and `Described`/`Typed` values as they say.
   */
  value(v: unknown): void {
    if (v === null || v === undefined) return this.null();
    if (v instanceof Described) {
      if (v.raw.length) return this.raw(v.raw);
      this.byte(0x00);
      if (typeof v.descriptor === 'number') this.ulong(v.descriptor);
      else this.symbol(v.descriptor);
      return this.value(v.value);
    }
    if (v instanceof Typed) return v.write(this);
    if (typeof v === 'string') return this.string(v);
    if (typeof v === 'boolean') return this.bool(v);
    if (typeof v === 'number') {
      if (Number.isInteger(v)) return this.long(v);
      this.byte(0x82);
      this.room(8);
      this.buf.writeDoubleBE(v, this.at);
      this.at += 8;
      return;
    }
    if (Buffer.isBuffer(v)) return this.binary(v);
    if (v instanceof Date) {
      this.room(9);
      this.buf[this.at++] = 0x83;
      this.buf.writeBigInt64BE(BigInt(v.getTime()), this.at);
      this.at += 8;
      return;
    }
    if (Array.isArray(v)) {
      const end = this.startCompound(0xd0);
      for (const x of v) this.value(x);
      end(v.length);
      return;
    }
    this.symbolMap(v as Record<string, unknown>);
  }

  /** A map with symbol keys (fields, filter sets, error info), or null when absent. */
  symbolMap(map: Record<string, unknown> | null | undefined): void {
    if (!map) return this.null();
    const end = this.startCompound(0xd1);
    let n = 0;
    for (const key of Object.keys(map)) {
      this.symbol(key);
      this.value(map[key]);
      n += 2;
    }
    end(n);
  }
}

/** A value that must keep an AMQP type the JS value alone cannot say (symbol, uint, long ticks). */
export class Typed {
  constructor(readonly write: (e: Encoder) => void) {}
  static symbol(s: string): Typed {
    return new Typed((e) => e.symbol(s));
  }
  static long(v: number | bigint): Typed {
    return new Typed((e) => {
      e.room(9);
      e.buf[e.at++] = 0x81;
      e.buf.writeBigInt64BE(BigInt(v), e.at);
      e.at += 8;
    });
  }
  static uint(v: number): Typed {
    return new Typed((e) => e.uint(v));
  }
}
