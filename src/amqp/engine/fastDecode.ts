/**
 * A fast path for the frames that come once per message: transfer, flow and disposition. Their
 * fields are mostly nulls, booleans, uints and a binary tag, read here straight into one reused
 * field list, without the Described wrapper, the raw view, the list array and the nested
 * decoder the general decoder builds for every performative. Any field of another type (a
 * delivery state, a map) is read by the general decoder, at the depth and within the bounds it
 * would have had. Anything unusual (another encoding of the descriptor, a size that does not add
 * up) makes the fast path give up, and the general decoder reads the frame from the start, so
 * what is accepted and every error are the general decoder's.
 */
import { Decoder, Described } from './decoder.js';
import { P, type Performative } from './performatives.js';

/** Depth of a performative's fields in the general decoder (described, then its list). */
const FIELD_DEPTH = 2;
/** More fields than any of the three has: leave such a frame to the general decoder. */
const MAX_FIELDS = 32;

const EMPTY_OUTCOMES = new Map<number, Described>();

/**
 * `0x00 0x53 code 0x45` as the general decoder reads it: the same descriptor, value and raw
 * bytes, made once per code (frozen, so no reader can change what the next one gets).
 */
function emptyOutcome(code: number): Described {
  let d = EMPTY_OUTCOMES.get(code);
  if (!d) {
    d = Object.freeze(new Described(code, Object.freeze([]), Buffer.from([0x00, 0x53, code, 0x45])));
    EMPTY_OUTCOMES.set(code, d);
  }
  return d;
}

export class FastPerformativeReader {
  /** The last performative read: reused, so valid only until the next frame is read. */
  private readonly p: Performative = { code: 0, fields: [] };
  /** Where the last performative read ends: its payload starts here. */
  end = 0;

  /** Reads the performative in `b[start, end)`, or returns undefined for the general decoder. */
  read(b: Buffer, start: number, end: number): Performative | undefined {
    if (end - start < 4 || b[start] !== 0x00 || b[start + 1] !== 0x53) return undefined;
    const code = b[start + 2]!;
    if (code !== P.transfer && code !== P.flow && code !== P.disposition) return undefined;
    let at = start + 4;
    let count: number;
    let listEnd: number;
    switch (b[start + 3]) {
      case 0x45:
        count = 0;
        listEnd = at;
        break;
      case 0xc0: {
        if (end - at < 2) return undefined;
        const size = b[at]!;
        listEnd = at + 1 + size;
        if (size < 1 || listEnd > end) return undefined;
        count = b[at + 1]!;
        at += 2;
        break;
      }
      case 0xd0: {
        if (end - at < 8) return undefined;
        const size = b.readUInt32BE(at);
        listEnd = at + 4 + size;
        if (size < 4 || listEnd > end) return undefined;
        count = b.readUInt32BE(at + 4);
        at += 8;
        break;
      }
      default:
        return undefined;
    }
    if (count > MAX_FIELDS) return undefined;
    const f = this.p.fields;
    f.length = count;
    for (let i = 0; i < count; i++) {
      if (at >= listEnd) return undefined;
      const c = b[at]!;
      const left = listEnd - at;
      switch (c) {
        case 0x40: f[i] = null; at += 1; break;
        case 0x41: f[i] = true; at += 1; break;
        case 0x42: f[i] = false; at += 1; break;
        case 0x43: case 0x44: f[i] = 0; at += 1; break;
        case 0x50: case 0x52: case 0x53:
          if (left < 2) return undefined;
          f[i] = b[at + 1];
          at += 2;
          break;
        case 0x56:
          if (left < 2) return undefined;
          f[i] = b[at + 1] !== 0;
          at += 2;
          break;
        case 0x60:
          if (left < 3) return undefined;
          f[i] = b.readUInt16BE(at + 1);
          at += 3;
          break;
        case 0x70:
          if (left < 5) return undefined;
          f[i] = b.readUInt32BE(at + 1);
          at += 5;
          break;
        case 0xa0: {
          if (left < 2 || left < 2 + b[at + 1]!) return undefined;
          const n = b[at + 1]!;
          f[i] = b.subarray(at + 2, at + 2 + n);
          at += 2 + n;
          break;
        }
        default: {
          // An outcome without fields (accepted, released): one shared value per descriptor.
          if (c === 0x00 && left >= 4 && b[at + 1] === 0x53 && b[at + 3] === 0x45) {
            f[i] = emptyOutcome(b[at + 2]!);
            at += 4;
            break;
          }
          const d = new Decoder(b, at, listEnd);
          try {
            f[i] = d.read(FIELD_DEPTH);
          } catch {
            return undefined;
          }
          at = d.pos;
        }
      }
    }
    if (at !== listEnd) return undefined;
    this.p.code = code;
    this.end = listEnd;
    return this.p;
  }
}
