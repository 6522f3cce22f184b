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

/** Writes one transfer frame holding `payload[from, to)`. */
export function transfer(
  e: Encoder,
  channel: number,
  handle: number,
  deliveryId: number,
  tag: Buffer,
  settled: boolean,
  more: boolean,
  payload: Buffer,
  from: number,
  to: number,
): void {
  const end = frame(e, FRAME_AMQP, channel);
  performative(e, P.transfer, () => {
    e.uint(handle);
    e.uint(deliveryId);
    e.binary(tag);
    e.uint(0);
    e.bool(settled);
    e.bool(more);
    e.null();
    e.null();
    e.null();
    e.null();
    e.bool(false);
    return 11;
  });
  e.room(to - from);
  payload.copy(e.buf, e.at, from, to);
  e.at += to - from;
  end();
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
