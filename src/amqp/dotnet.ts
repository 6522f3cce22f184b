/**
 * .NET conventions that Service Bus puts on the wire: GUIDs in ToByteArray() order as delivery
 * tags, and DateTime ticks for session lock expiry (PROTOCOL.md §5.4, §8.2).
 */

const TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;

/** A lock token (canonical uuid string) as the 16-byte .NET GUID a delivery tag carries. */
export function guidToDotnetBytes(uuid: string): Buffer {
  const b = uuidToBytes(uuid);
  // Data1 (4 bytes), Data2 (2) and Data3 (2) are little-endian in .NET's byte layout.
  return Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}

export function dotnetBytesToGuid(bytes: Buffer): string {
  const b = bytes;
  return bytesToUuid(Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]));
}

/** Canonical big-endian uuid bytes, as management requests carry lock tokens. */
export function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a uuid: ${uuid}`);
  return Buffer.from(hex, 'hex');
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
