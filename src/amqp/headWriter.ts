/**
 * Writes each delivery's header and annotation sections byte by byte (AMQP 1.0 §3.2 for the
 * sections, §1.6 for the encodings): this runs for every delivery, and building them through
 * rhea's composite types cost more than the rest of the delivery path together.
 *
 * Heads are written one after another into a shared slab and handed out as views of it, so a
 * delivery allocates no buffer of its own; a head is never overwritten (the slab only moves
 * forward, and a new one is taken when the rest is too small), so a view stays valid for as long
 * as a delivery waits in an engine backlog. `begin` is told the head's largest possible size, so
 * a head never has to move while it is written.
 */

const SLAB = 64 * 1024;

const TWO_32 = 2 ** 32;

export class HeadWriter {
  private buf = Buffer.allocUnsafe(SLAB);
  private at = 0;
  private start = 0;

  /** Starts a head of at most `maxSize` bytes. */
  begin(maxSize: number): void {
    if (this.buf.length - this.at < maxSize) {
      this.buf = Buffer.allocUnsafe(Math.max(SLAB, maxSize));
      this.at = 0;
    }
    this.start = this.at;
  }

  /** The head written since `begin`, as a view of the slab. */
  done(): Buffer {
    return this.buf.subarray(this.start, this.at);
  }

  byte(b: number): void {
    this.buf[this.at++] = b;
  }

  uint32(v: number): void {
    this.buf.writeUInt32BE(v >>> 0, this.at);
    this.at += 4;
  }

  /** A signed 64-bit integer from a safe integer, as two 32-bit halves (no BigInt per call). */
  int64(v: number): void {
    v = Math.trunc(v);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.at);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.at + 4);
    this.at += 8;
  }

  bytes(b: Buffer): void {
    b.copy(this.buf, this.at);
    this.at += b.length;
  }

  /** A sym8: the broker's own annotation keys, all short and ASCII. */
  symbol(s: string): void {
    this.byte(0xa3);
    const n = this.buf.write(s, this.at + 1, 'latin1');
    this.buf[this.at] = n;
    this.at += 1 + n;
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    if (n < 256) {
      this.byte(0xa1);
      this.byte(n);
    } else {
      this.byte(0xb1);
      this.uint32(n);
    }
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  long(v: number): void {
    this.byte(0x81);
    this.int64(v);
  }

  timestamp(v: number): void {
    this.byte(0x83);
    this.int64(v);
  }

  int(v: number): void {
    this.byte(0x71);
    this.buf.writeInt32BE(v, this.at);
    this.at += 4;
  }

  /** Starts a described section with a list32/map32 body; returns where its size goes. */
  section(code: number, ctor: 0xd0 | 0xd1): number {
    this.byte(0x00);
    this.byte(0x53);
    this.byte(code);
    this.byte(ctor);
    const sizeAt = this.at;
    this.at += 8;
    return sizeAt;
  }

  endSection(sizeAt: number, count: number): void {
    this.buf.writeUInt32BE(this.at - sizeAt - 4, sizeAt);
    this.buf.writeUInt32BE(count, sizeAt + 4);
  }
}
