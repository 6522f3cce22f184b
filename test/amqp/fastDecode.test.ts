/**
 * The per-frame fast paths read exactly what the general ones read: the fast performative reader
 * gives the general decoder's fields or steps aside (never a different value, never a value where
 * the general decoder throws), and the frame reader gives the same frames however the stream is
 * cut into socket reads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/amqp/engine/decoder.js';
import { FastPerformativeReader } from '../../src/amqp/engine/fastDecode.js';
import { FrameReader, type Frame } from '../../src/amqp/engine/frameReader.js';
import { toPerformative } from '../../src/amqp/engine/performatives.js';

const b = (...bytes: number[]) => Buffer.from(bytes);
const u32 = (v: number) => {
  const x = Buffer.alloc(4);
  x.writeUInt32BE(v >>> 0);
  return x;
};

/** Field encodings the three frames carry, and some they should not. */
const field = fc.oneof(
  fc.constant(b(0x40)),
  fc.constant(b(0x41)),
  fc.constant(b(0x42)),
  fc.integer({ min: 0, max: 2 }).map((v) => b(0x56, v)),
  fc.constant(b(0x43)),
  fc.constant(b(0x44)),
  fc.integer({ min: 0, max: 255 }).map((v) => b(0x52, v)),
  fc.integer({ min: 0, max: 255 }).map((v) => b(0x53, v)),
  fc.integer({ min: 0, max: 255 }).map((v) => b(0x50, v)),
  fc.integer({ min: 0, max: 0xffff }).map((v) => Buffer.concat([b(0x60), u32(v).subarray(2)])),
  fc.integer({ min: 0, max: 0xffffffff }).map((v) => Buffer.concat([b(0x70), u32(v)])),
  fc.integer({ min: -128, max: 127 }).map((v) => b(0x51, v & 0xff)),
  fc.uint8Array({ maxLength: 20 }).map((t) => Buffer.concat([b(0xa0, t.length), t])),
  fc.uint8Array({ maxLength: 20 }).map((t) => Buffer.concat([b(0xb0), u32(t.length), t])),
  fc.constant(b(0x00, 0x53, 0x24, 0x45)),
  fc.constant(b(0x00, 0x53, 0x27, 0xc0, 0x04, 0x03, 0x41, 0x42, 0x40)),
  fc.constant(b(0x00, 0x53, 0x25, 0xc0, 0x0a, 0x01, 0x00, 0x53, 0x1d, 0xc0, 0x04, 0x01, 0xa3, 0x01, 0x78)),
  fc.constant(b(0xa3, 0x03, 0x61, 0x62, 0x63)),
  fc.uint8Array({ minLength: 1, maxLength: 6 }).map((x) => Buffer.from(x)),
);

const performative = fc
  .record({
    code: fc.constantFrom(0x13, 0x14, 0x15, 0x15, 0x14, 0x12, 0x10),
    form: fc.constantFrom('list0', 'list8', 'list32', 'ulong', 'symbol'),
    fields: fc.array(field, { maxLength: 14 }),
    countDelta: fc.constantFrom(0, 0, 0, 1, -1, 200),
    sizeDelta: fc.constantFrom(0, 0, 0, 1, -1),
    payload: fc.uint8Array({ maxLength: 8 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ code, form, fields, countDelta, sizeDelta, payload, cut }) => {
    const body = Buffer.concat(fields);
    const count = Math.max(0, fields.length + countDelta);
    let list: Buffer;
    if (form === 'list0') list = b(0x45);
    else if (form === 'list8') list = Buffer.concat([b(0xc0, (body.length + 1 + sizeDelta) & 0xff, count & 0xff), body]);
    else list = Buffer.concat([b(0xd0), u32(body.length + 4 + sizeDelta), u32(count), body]);
    const descriptor = form === 'ulong' ? Buffer.concat([b(0x80), Buffer.alloc(7), b(code)]) : form === 'symbol' ? b(0xa3, 0x01, 0x78) : b(0x53, code);
    const all = Buffer.concat([b(0x00), descriptor, list, payload]);
    return cut === undefined ? all : all.subarray(0, cut % (all.length + 1));
  });

function general(body: Buffer): { fields: unknown[]; code: number; end: number } | Error {
  try {
    const d = new Decoder(body);
    const p = toPerformative(d.read());
    return { code: p.code, fields: p.fields, end: d.pos };
  } catch (e) {
    return e as Error;
  }
}

describe('the fast performative reader', () => {
  it('reads what the general decoder reads, or leaves the frame to it', () => {
    const fast = new FastPerformativeReader();
    let taken = 0;
    fc.assert(
      fc.property(performative, fc.nat({ max: 16 }), (body, pad) => {
        // At an offset in a bigger buffer, as frames sit in a socket read.
        const buf = Buffer.concat([Buffer.alloc(pad, 0xee), body, Buffer.alloc(3, 0xee)]);
        const got = fast.read(buf, pad, pad + body.length);
        const want = general(body);
        if (!got) return;
        taken++;
        expect(want).not.toBeInstanceOf(Error);
        const w = want as { fields: unknown[]; code: number; end: number };
        expect(got.code).toBe(w.code);
        expect([...got.fields]).toEqual(w.fields);
        expect(fast.end - pad).toBe(w.end);
      }),
      { numRuns: 5000 },
    );
    // About one in nine generated frames is one the fast path takes (most are malformed on purpose).
    expect(taken).toBeGreaterThan(200);
  });
});

describe('the frame reader', () => {
  const frame = (type: number, channel: number, body: Uint8Array, doff = 2) => {
    const ext = Buffer.alloc((doff - 2) * 4, 0x77);
    const h = Buffer.alloc(8);
    h.writeUInt32BE(8 + ext.length + body.length);
    h[4] = doff;
    h[5] = type;
    h.writeUInt16BE(channel, 6);
    return Buffer.concat([h, ext, body]);
  };

  it('gives the same frames however the stream is cut into reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ type: fc.constantFrom(0, 1), channel: fc.nat({ max: 3 }), body: fc.uint8Array({ maxLength: 300 }), doff: fc.constantFrom(2, 2, 3) }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames.map((f) => frame(f.type, f.channel, f.body, f.doff)));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
          const reader = new FrameReader(1024);
          const got: { type: number; channel: number; body: Buffer }[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            reader.push(stream.subarray(from, to));
            from = to;
            for (let f = reader.next(false); f; f = reader.next(false)) {
              const fr = f as Frame;
              got.push({ type: fr.type, channel: fr.channel, body: Buffer.from(fr.buf.subarray(fr.start, fr.end)) });
            }
          }
          expect(got).toEqual(frames.map((f) => ({ type: f.type, channel: f.channel, body: Buffer.from(f.body) })));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('still refuses a frame over the limit that straddles two reads', () => {
    const reader = new FrameReader(64);
    const big = frame(0, 0, Buffer.alloc(100));
    reader.push(big.subarray(0, 10));
    expect(() => reader.next(false)).toThrow(/exceeds the maximum frame size/);
  });
});
