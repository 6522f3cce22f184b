/**
 * Frames as the engine writes them (AMQP 1.0 section 2.3): each function appends one complete
 * frame to the connection's output encoder. Field lists are written in full.
 */
import type { Encoder } from './encoder.js';
import { P, performative, writeError, writeTerminus, type AmqpError, type Terminus } from './performatives.js';

export const FRAME_AMQP = 0;
export const FRAME_SASL = 1;

/** Opens a frame; the returned function patches its size. */
export function frame(e: Encoder, type: number, channel: number): () => void {
  e.room(8);
  const start = e.at;
  e.buf.writeUInt32BE(0, start);
  e.buf[start + 4] = 2;
  e.buf[start + 5] = type;
  e.buf.writeUInt16BE(channel, start + 6);
  e.at += 8;
  return () => e.u32At(start, e.at - start);
}

export function heartbeat(e: Encoder): void {
  frame(e, FRAME_AMQP, 0)();
}

export interface OpenFields {
  containerId: string;
  hostname?: string | null;
  maxFrameSize: number;
  channelMax: number;
  idleTimeOutMs: number;
  properties?: Record<string, unknown> | null;
}

export function open(e: Encoder, f: OpenFields): void {
  const end = frame(e, FRAME_AMQP, 0);
  performative(e, P.open, () => {
    e.string(f.containerId);
    e.string(f.hostname ?? null);
    e.uint(f.maxFrameSize);
    e.ushort(f.channelMax);
    e.uint(f.idleTimeOutMs);
    e.null();
    e.null();
    e.null();
    e.null();
    e.symbolMap(f.properties ?? {});
    return 10;
  });
  end();
}

export interface BeginFields {
  remoteChannel: number;
  nextOutgoingId: number;
  incomingWindow: number;
  outgoingWindow: number;
  handleMax: number;
}

export function begin(e: Encoder, channel: number, f: BeginFields): void {
  const end = frame(e, FRAME_AMQP, channel);
  performative(e, P.begin, () => {
    e.ushort(f.remoteChannel);
    e.uint(f.nextOutgoingId);
    e.uint(f.incomingWindow);
    e.uint(f.outgoingWindow);
    e.uint(f.handleMax);
    e.null();
    e.null();
    e.symbolMap({});
    return 8;
  });
  end();
}

export interface AttachFields {
  name: string;
  handle: number;
  /** true: the engine is the receiver on this link. */
  role: boolean;
  sndSettleMode: number;
  rcvSettleMode: number;
  source: Terminus | null;
  target: Terminus | null;
  initialDeliveryCount: number | null;
  maxMessageSize: number | null;
  properties: Record<string, unknown>;
}

export function attach(e: Encoder, channel: number, f: AttachFields): void {
  const end = frame(e, FRAME_AMQP, channel);
  performative(e, P.attach, () => {
    e.string(f.name);
    e.uint(f.handle);
    e.bool(f.role);
    e.ubyte(f.sndSettleMode);
    e.ubyte(f.rcvSettleMode);
    writeTerminus(e, 'source', f.source);
    writeTerminus(e, 'target', f.target);
    e.null();
    e.null();
    e.uint(f.initialDeliveryCount);
    e.ulong(f.maxMessageSize);
    e.null();
    e.null();
    e.symbolMap(f.properties);
    return 14;
  });
  end();
}

export interface FlowFields {
  nextIncomingId: number;
  incomingWindow: number;
  nextOutgoingId: number;
  outgoingWindow: number;
  /** Link part: absent for a session-only flow. */
  handle?: number;
  deliveryCount?: number;
  linkCredit?: number;
  available?: number;
  drain?: boolean;
  echo?: boolean;
}

export function flow(e: Encoder, channel: number, f: FlowFields): void {
  const end = frame(e, FRAME_AMQP, channel);
  performative(e, P.flow, () => {
    e.uint(f.nextIncomingId);
    e.uint(f.incomingWindow);
    e.uint(f.nextOutgoingId);
    e.uint(f.outgoingWindow);
    e.uint(f.handle);
    e.uint(f.deliveryCount);
    e.uint(f.linkCredit);
    e.uint(f.available);
    e.bool(f.handle === undefined ? null : (f.drain ?? false));
    e.bool(f.echo ?? false);
    e.null();
    return 11;
  });
  end();
}

/** A message's bytes: one buffer, or buffers that follow one another (head, then stored sections). */
export type Payload = Buffer | readonly Buffer[];

export function payloadLength(payload: Payload): number {
  if (Buffer.isBuffer(payload)) return payload.length;
  let n = 0;
  for (const part of payload) n += part.length;
  return n;
}

/** Small uint as Encoder.uint writes it: uint0, smalluint or uint. */
function uintAt(b: Buffer, at: number, v: number): number {
  if (v === 0) {
    b[at] = 0x43;
    return at + 1;
  }
  if (v < 256) {
    b[at] = 0x52;
    b[at + 1] = v;
    return at + 2;
  }
  b[at] = 0x70;
  b.writeUInt32BE(v, at + 1);
  return at + 5;
}

/**
 * Writes one transfer frame holding `payload[from, to)`. The busiest frame there is, so it is
 * written in place (one room check, no closures); the bytes are those the general writers
 * would produce: a list32 of all eleven fields.
 */
export function transfer(
  e: Encoder,
  channel: number,
  handle: number,
  deliveryId: number,
  tag: Buffer,
  settled: boolean,
  more: boolean,
  payload: Payload,
  from: number,
  to: number,
): void {
  e.room(transferOverhead(tag.length) + (to - from));
  const b = e.buf;
  const start = e.at;
  let at = start + 8;
  b[at++] = 0x00;
  b[at++] = 0x53;
  b[at++] = P.transfer;
  b[at++] = 0xd0;
  const sizeAt = at;
  at += 8;
  at = uintAt(b, at, handle >>> 0);
  at = uintAt(b, at, deliveryId >>> 0);
  if (tag.length < 256) {
    b[at++] = 0xa0;
    b[at++] = tag.length;
  } else {
    b[at++] = 0xb0;
    b.writeUInt32BE(tag.length, at);
    at += 4;
  }
  at += tag.copy(b, at);
  b[at++] = 0x43; // message-format 0
  b[at++] = settled ? 0x41 : 0x42;
  b[at++] = more ? 0x41 : 0x42;
  b[at++] = 0x40; // rcv-settle-mode
  b[at++] = 0x40; // state
  b[at++] = 0x40; // resume
  b[at++] = 0x40; // aborted
  b[at++] = 0x42; // batchable
  b.writeUInt32BE(at - sizeAt - 4, sizeAt);
  b.writeUInt32BE(11, sizeAt + 4);
  if (Buffer.isBuffer(payload)) at += payload.copy(b, at, from, to);
  else {
    let offset = 0;
    for (const part of payload) {
      const end = offset + part.length;
      if (end > from && offset < to) at += part.copy(b, at, Math.max(from, offset) - offset, Math.min(to, end) - offset);
      offset = end;
      if (offset >= to) break;
    }
  }
  b.writeUInt32BE(at - start, start);
  b[start + 4] = 2;
  b[start + 5] = FRAME_AMQP;
  b.writeUInt16BE(channel, start + 6);
  e.at = at;
}

/** Bytes a transfer frame takes before its payload, for splitting by the peer's max-frame-size. */
export function transferOverhead(tagLength: number): number {
  // frame header 8, descriptor 3, list32 header 9, handle/delivery-id as uint 5+5, tag 2+len (or
  // 5+len), format 1, settled 1, more 1, four nulls, batchable 1.
  return 8 + 3 + 9 + 5 + 5 + (tagLength < 256 ? 2 : 5) + tagLength + 1 + 1 + 1 + 4 + 1;
}

export function disposition(e: Encoder, channel: number, role: boolean, first: number, last: number, settled: boolean, state: Buffer | null): void {
  const end = frame(e, FRAME_AMQP, channel);
  performative(e, P.disposition, () => {
    e.bool(role);
    e.uint(first);
    e.uint(last);
    e.bool(settled);
    if (state) e.raw(state);
    else e.null();
    e.bool(false);
    return 6;
  });
  end();
}

export function detach(e: Encoder, channel: number, handle: number, closed: boolean, error: AmqpError | null): void {
  const end = frame(e, FRAME_AMQP, channel);
  performative(e, P.detach, () => {
    e.uint(handle);
    e.bool(closed);
    writeError(e, error);
    return 3;
  });
  end();
}

export function endSession(e: Encoder, channel: number, error: AmqpError | null): void {
  const end = frame(e, FRAME_AMQP, channel);
  performative(e, P.end, () => {
    writeError(e, error);
    return 1;
  });
  end();
}

export function close(e: Encoder, error: AmqpError | null): void {
  const end = frame(e, FRAME_AMQP, 0);
  performative(e, P.close, () => {
    writeError(e, error);
    return 1;
  });
  end();
}

export function saslMechanisms(e: Encoder, mechanisms: readonly string[]): void {
  const end = frame(e, FRAME_SASL, 0);
  performative(e, P.saslMechanisms, () => {
    e.symbols(mechanisms);
    return 1;
  });
  end();
}

export function saslOutcome(e: Encoder, code: number): void {
  const end = frame(e, FRAME_SASL, 0);
  performative(e, P.saslOutcome, () => {
    e.ubyte(code);
    e.null();
    return 2;
  });
  end();
}
