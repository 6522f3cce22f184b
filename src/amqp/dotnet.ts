/**
 * .NET conventions that Service Bus puts on the wire: GUIDs in ToByteArray() order as delivery
 * tags, and DateTime ticks for session lock expiry.
 */

const TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Data1 (4 bytes), Data2 (2) and Data3 (2) are little-endian in .NET's layout; the rest as is. */
const DOTNET_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

/** Where each canonical byte's two hex digits start in a uuid string. */
const HEX_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/**
 * A lock token (canonical uuid string) as the 16-byte .NET GUID a delivery tag carries. Runs for
 * every delivery: digits are read straight into .NET order, without intermediate buffers.
 */
export function guidToDotnetBytes(uuid: string): Buffer {
  if (!UUID.test(uuid)) throw new RangeError(`not a uuid: ${uuid}`);
  const out = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) {
    const at = HEX_AT[DOTNET_ORDER[i]!]!;
    out[i] = (hexDigit(uuid.charCodeAt(at)) << 4) | hexDigit(uuid.charCodeAt(at + 1));
  }
  return out;
}

/** A delivery tag (.NET GUID bytes) as the canonical lock token; runs for every settlement. */
export function dotnetBytesToGuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`a GUID has 16 bytes, got ${bytes.length}`);
  const h = (i: number) => HEX[bytes[i]!]!;
  return (
    h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}

/** Canonical big-endian uuid bytes, as management requests carry lock tokens. */
export function uuidToBytes(uuid: string): Buffer {
  if (!UUID.test(uuid)) throw new RangeError(`not a uuid: ${uuid}`);
  const b = Buffer.allocUnsafe(16);
  b.write(uuid.slice(0, 8), 0, 'hex');
  b.write(uuid.slice(9, 13), 4, 'hex');
  b.write(uuid.slice(14, 18), 6, 'hex');
  b.write(uuid.slice(19, 23), 8, 'hex');
  b.write(uuid.slice(24), 10, 'hex');
  return b;
}

export function bytesToUuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`a uuid has 16 bytes, got ${bytes.length}`);
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Epoch milliseconds as .NET ticks, big-endian in 8 bytes (what an AMQP long carries). */
export function msToDotnetTicksBytes(ms: number): Buffer {
  const ticks = BigInt(Math.trunc(ms)) * 10_000n + TICKS_AT_UNIX_EPOCH;
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(ticks);
  return buf;
}
