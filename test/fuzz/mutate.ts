/**
 * Deterministic mutations of captured frames. Everything random comes from one seeded PRNG, so a
 * seed and a corpus name every byte a run sends: a failure found at seed S replays at seed S.
 *
 * Each mutator takes one captured frame and returns the bytes to send instead (possibly several
 * frames, possibly not a frame at all). Some keep the frame's size field honest so that the
 * damage reaches the value decoder or the state machines behind it; others break the framing
 * itself. mutateConnection() decides which frames of a replayed connection are hit.
 */
import type { CapturedConnection, Unit } from './capture.js';
import { scanFrame } from './scan.js';

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

interface Context {
  rng: Rng;
  /** Every captured frame, for splices. */
  pool: Buffer[];
}

type Mutator = (frame: Buffer, ctx: Context) => Buffer[];

/** Rewrites the size field to the frame's real length (the damage is then inside the frame). */
function honest(frame: Buffer): Buffer {
  if (frame.length >= 4) frame.writeUInt32BE(frame.length, 0);
  return frame;
}

const BOUNDARY_32 = [0, 1, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const BOUNDARY_8 = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
const ZERO_WIDTH = [0x40, 0x41, 0x42, 0x43, 0x44, 0x45];
/** 0xf0, size 5, count, element constructor. */
const ARRAY_BOMB_SIZE = 10;
/** Performatives, SASL frames, outcomes, terminus, error and message sections: codes the engine dispatches on. */
const DESCRIPTOR_CODES = [
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1d, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
  0x40, 0x41, 0x42, 0x43, 0x44, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x00, 0x19, 0xff,
];
/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate, out of range, cut. */
const BAD_UTF8 = [[0x80], [0xc0, 0xaf], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xfe, 0xfe], [0xe2, 0x82]];

const mutators: Record<string, Mutator> = {
  bitFlip(frame, { rng }) {
    const out = Buffer.from(frame);
    for (let i = 1 + rng.int(8); i > 0; i--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return [out];
  },

  byteOverwrite(frame, { rng }) {
    const out = Buffer.from(frame);
    for (let i = 1 + rng.int(4); i > 0; i--) {
      // Inside the body: the frame header has its own mutator.
      const at = out.length > 8 ? 8 + rng.int(out.length - 8) : rng.int(out.length);
      out[at] = rng.chance(0.5) ? rng.pick(BOUNDARY_8) : rng.int(256);
    }
    return [out];
  },

  frameSize(frame, { rng }) {
    const out = Buffer.from(frame);
    const choices = [frame.length + 1 + rng.int(64), frame.length - 1 - rng.int(Math.max(1, frame.length - 1)), rng.pick(BOUNDARY_32), 256 * 1024 + 1, 256 * 1024];
    out.writeUInt32BE(rng.pick(choices) >>> 0, 0);
    return [out];
  },

  frameHeader(frame, { rng }) {
    const out = Buffer.from(frame);
    switch (rng.int(3)) {
      case 0: out[4] = rng.pick([0, 1, 3, 0xff, (frame.length >> 2) + 1]); break; // data offset
      case 1: out[5] = rng.pick([0, 1, 2, 0xff]); break; // frame type
      default: out.writeUInt16BE(rng.pick([1, 2, 0x7fff, 0xffff, rng.int(65536)]), 6); // channel
    }
    return [out];
  },

  hugeCount(frame, { rng }) {
    const { compounds, values } = scanFrame(frame);
    const roomy = values.filter((v) => v.end - v.at >= ARRAY_BOMB_SIZE);
    if (roomy.length > 0 && rng.chance(0.2)) {
      // A value overwritten by an array32 of zero-width elements announcing billions of them in
      // ten bytes: the only count that nothing but the decoder's own bound can stop. The bytes
      // after it no longer parse, but a decoder without the bound never gets that far.
      const out = Buffer.from(frame);
      const v = rng.pick(roomy);
      out[v.at] = 0xf0;
      out.writeUInt32BE(5, v.at + 1);
      out.writeUInt32BE(rng.pick([0xffffffff, 0x7fffffff, 0x10000000]), v.at + 5);
      out[v.at + 9] = rng.pick(ZERO_WIDTH);
      return [out];
    }
    if (compounds.length === 0) return mutators.frameSize!(frame, { rng, pool: [] });
    const out = Buffer.from(frame);
    const c = rng.pick(compounds);
    const sizeAt = c.at + 1;
    const countAt = sizeAt + c.width;
    if (countAt + c.width > out.length) return [out];
    const big = c.width === 1 ? rng.pick([0xff, 0xfe, 0x80]) : rng.pick([0xffffffff, 0x7fffffff, 0x80000000, 0x10000000]);
    const write = (at: number, v: number) => (c.width === 1 ? (out[at] = v & 0xff) : out.writeUInt32BE(v >>> 0, at));
    switch (rng.int(4)) {
      case 0: write(countAt, big); break;
      case 1: write(sizeAt, big); break;
      case 2: write(sizeAt, big); write(countAt, big); break;
      default:
        // An array of zero-width elements: the count is the only thing its bytes bound.
        write(countAt, big);
        if (c.elementAt !== undefined && c.elementAt < out.length) out[c.elementAt] = rng.pick(ZERO_WIDTH);
    }
    return [out];
  },

  truncate(frame, { rng }) {
    const cut = Buffer.from(frame.subarray(0, 1 + rng.int(frame.length - 1)));
    // Half keep the old size (the stream desynchronises), half say the truth (the body ends early).
    return [rng.chance(0.5) || cut.length < 8 ? cut : honest(cut)];
  },

  splice(frame, { rng, pool }) {
    const other = rng.pick(pool);
    const head = frame.subarray(0, 8 + rng.int(Math.max(1, frame.length - 8)));
    const tail = other.subarray(8 + rng.int(Math.max(1, other.length - 8)));
    const out = Buffer.concat([head, tail]);
    return [rng.chance(0.8) ? honest(out) : out];
  },

  invalidUtf8(frame, { rng }) {
    const strings = scanFrame(frame).strings.filter((s) => s.length > 0);
    if (strings.length === 0) return mutators.byteOverwrite!(frame, { rng, pool: [] });
    const out = Buffer.from(frame);
    const s = rng.pick(strings);
    const bad = rng.pick(BAD_UTF8);
    const at = s.at + rng.int(s.length);
    for (let i = 0; i < bad.length && at + i < s.at + s.length; i++) out[at + i] = bad[i]!;
    return [out];
  },

  wrongDescriptor(frame, { rng }) {
    const { descriptors } = scanFrame(frame);
    if (descriptors.length === 0) return mutators.bitFlip!(frame, { rng, pool: [] });
    const out = Buffer.from(frame);
    const at = rng.pick(descriptors);
    if (rng.chance(0.8)) out[at] = rng.pick(DESCRIPTOR_CODES);
    // A descriptor of the wrong type: a symbol, a list, a string where a ulong belongs.
    else out[at - 1] = rng.pick([0xa3, 0x45, 0xa1, 0x40, 0x00]);
    return [out];
  },

  duplicate(frame) {
    // The copy is the mutated frame: a second begin on a channel, a transfer past its delivery.
    return [frame, Buffer.from(frame)];
  },

  garbage(frame, { rng }) {
    const n = 1 + rng.int(rng.chance(0.9) ? 64 : 4096);
    if (rng.chance(0.5)) return [rng.bytes(n)];
    // A well-framed body of random bytes, or a performative header followed by random bytes.
    const body = rng.chance(0.5) ? rng.bytes(n) : Buffer.concat([Buffer.from([0x00, 0x53, rng.pick(DESCRIPTOR_CODES), rng.pick([0xc0, 0xd0, 0x45])]), rng.bytes(n)]);
    const header = Buffer.from(frame.subarray(0, 8));
    header[4] = 2;
    return [honest(Buffer.concat([header, body]))];
  },
};

export interface Planned {
  bytes: Buffer;
  /** The mutator that made these bytes, or undefined for a frame sent as captured. */
  mutator?: string;
  /** A protocol header rather than a frame: counted apart from the frames. */
  header?: boolean;
}

function mutateHeader(header: Buffer, rng: Rng): Buffer {
  const out = Buffer.from(header);
  out[rng.int(8)] = rng.chance(0.5) ? rng.pick([0, 1, 2, 3, 4, 0xff]) : rng.int(256);
  return out;
}

/**
 * One replayed connection: its captured frames with some of them mutated. Half the connections
 * take a single mutation (so it meets a connection in a known state), the rest mutate each frame
 * with a probability of 10% or 35% (so later frames meet state earlier damage left behind).
 */
export function mutateConnection(rng: Rng, conn: CapturedConnection, pool: Buffer[]): Planned[] {
  const units: Unit[] = conn.units;
  const mode = rng.next();
  const single = mode < 0.5 ? rng.int(units.length) : -1;
  const p = mode < 0.85 ? 0.1 : 0.35;
  const plan: Planned[] = [];
  const ctx: Context = { rng, pool };
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    const hit = single >= 0 ? i === single : rng.chance(p);
    const header = u.kind === 'header';
    if (!hit) {
      plan.push(header ? { bytes: u.bytes, header } : { bytes: u.bytes });
      continue;
    }
    if (header) {
      plan.push({ bytes: mutateHeader(u.bytes, rng), mutator: 'protocolHeader', header });
      continue;
    }
    if (rng.chance(0.05) && i + 1 < units.length) {
      // The next unit goes first: an attach before its begin, a transfer before its attach.
      plan.push({ bytes: units[i + 1]!.bytes, mutator: 'reorder' }, { bytes: u.bytes });
      i++;
      continue;
    }
    const name = rng.pick(Object.keys(mutators));
    // A mutator may return the captured frame itself alongside its work (duplicate): not counted.
    for (const bytes of mutators[name]!(u.bytes, ctx)) plan.push(bytes === u.bytes ? { bytes } : { bytes, mutator: name });
  }
  return plan;
}
