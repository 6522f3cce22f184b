/**
 * .NET conventions that Service Bus puts on the wire: GUIDs in ToByteArray() order as delivery
 * tags, and DateTime ticks for session lock expiry.
 */

const TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Data1 (4 bytes), Data2 (2) and Data3 (2) are little-endian in .NET's layout; the rest as is. */
const DOTNET_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

function reorder(from: Buffer): Buffer {
  const out = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) out[i] = from[DOTNET_ORDER[i]!]!;
  return out;
}

/** A lock token (canonical uuid string) as the 16-byte .NET GUID a delivery tag carries. */
export function guidToDotnetBytes(uuid: string): Buffer {
  return reorder(uuidToBytes(uuid));
}

export function dotnetBytesToGuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`a GUID has 16 bytes, got ${bytes.length}`);
  return bytesToUuid(reorder(bytes));
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
