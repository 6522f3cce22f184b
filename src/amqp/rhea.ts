/**
 * rhea, loaded once and adjusted for Service Bus clients. Every module of src/amqp imports rhea
 * from here so the adjustments are in place before the first frame is written.
 */
import { createRequire } from 'node:module';
import rhea from 'rhea';
import { MAX_FRAME_SIZE } from './limits.js';
import { patchCredit } from './rheaCredit.js';
import { patchHandles } from './rheaHandles.js';
import { patchSettlement } from './rheaSettlement.js';

const require = createRequire(import.meta.url);
// rhea keeps its frame definitions in an internal module that its public typings do not expose.
const frames = require('rhea/lib/frames.js') as Record<string, (...args: never[]) => { value: unknown[] }>;

/**
 * Field counts of each performative. pyamqp indexes performative fields by position with no
 * length check, and real Azure always writes full lists; rhea stops at the last field set, and
 * writes list0 for an empty end/close. Padding with nulls makes both clients happy
 * (PROTOCOL.md §1.5).
 */
const FIELD_COUNTS: Record<string, number> = {
  open: 10,
  begin: 8,
  attach: 14,
  flow: 11,
  transfer: 11,
  disposition: 6,
  detach: 3,
  end: 1,
  close: 1,
};

let patched = false;

export function patchRhea(): void {
  if (patched) return;
  patched = true;
  patchCredit();
  patchSettlement();
  patchHandles();
  for (const [name, count] of Object.entries(FIELD_COUNTS)) {
    const proto = Object.getPrototypeOf(frames[name]!({} as never)) as { described: (this: { value: unknown[] }) => unknown };
    const described = proto.described;
    proto.described = function (this: { value: unknown[] }) {
      // rhea encodes undefined entries as null, so extending the array is enough.
      for (let i = this.value.length; i < count; i++) this.value.push(undefined);
      return described.call(this);
    };
  }
  const { ProtocolError } = require('rhea/lib/errors.js') as { ProtocolError: new (m: string) => Error };
  const Transport = require('rhea/lib/transport.js') as { prototype: { peek_size(b: Buffer): number | undefined } };
  const peekSize = Transport.prototype.peek_size;
  // rhea would buffer a frame of any announced size: refuse frames over the negotiated maximum.
  Transport.prototype.peek_size = function (this: unknown, buffer: Buffer) {
    const size = peekSize.call(this, buffer);
    if (size !== undefined && size > MAX_FRAME_SIZE) {
      throw new ProtocolError(`frame of ${size} bytes exceeds the maximum frame size ${MAX_FRAME_SIZE}`);
    }
    return size;
  };
  const Connection = require('rhea/lib/connection.js') as { prototype: { accept(socket: unknown): unknown } };
  const accept = Connection.prototype.accept;
  Connection.prototype.accept = function (this: Conn, socket: unknown) {
    const result = accept.call(this, socket);
    this.on('protocol_error', (e) => closeWithError(this, (e as { condition?: string }).condition ?? 'amqp:framing-error', e));
    this.on('error', (e) => closeWithError(this, 'amqp:decode-error', e));
    return result;
  };
  // The broker stores the client's encoded sections verbatim (src/amqp/codec.ts), so a server-side
  // transfer does not need rhea's full decode: hand out the bytes, decoding only if a handler
  // ($cbs, $management) reads a field. Client connections in the same process (tests, tools)
  // keep rhea's eager decode.
  const messageModule = require('rhea/lib/message.js') as { decode: (b: Buffer) => object };
  const decode = messageModule.decode;
  let serverTransfer = false;
  messageModule.decode = (buffer: Buffer) => (serverTransfer ? new LazyMessage(buffer, decode) : decode(buffer));
  const Session = require('rhea/lib/session.js') as { prototype: { on_transfer(this: { connection: { is_server?: boolean } }, frame: unknown): void } };
  const onTransfer = Session.prototype.on_transfer;
  Session.prototype.on_transfer = function (frame) {
    const outer = serverTransfer;
    serverTransfer = this.connection.is_server === true;
    try {
      onTransfer.call(this, frame);
    } finally {
      serverTransfer = outer;
    }
  };
}

const MESSAGE_FIELDS = [
  'durable', 'priority', 'ttl', 'first_acquirer', 'delivery_count',
  'delivery_annotations', 'message_annotations', 'application_properties', 'footer', 'body',
  'message_id', 'user_id', 'to', 'subject', 'reply_to', 'correlation_id', 'content_type',
  'content_encoding', 'absolute_expiry_time', 'creation_time', 'group_id', 'group_sequence',
  'reply_to_group_id',
];

/** A received message whose fields rhea decodes on first read; the bytes are under RAW_BYTES. */
class LazyMessage {
  [key: string | symbol]: unknown;
  constructor(buffer: Buffer, decodeFn: (b: Buffer) => object) {
    // Plain assignments: this runs for every message a client sends.
    this[RAW_BYTES] = buffer;
    this[DECODE] = decodeFn;
  }
  fields(): Record<string, unknown> {
    let decoded = this[DECODED] as Record<string, unknown> | undefined;
    if (!decoded) {
      decoded = (this[DECODE] as (b: Buffer) => Record<string, unknown>)(this[RAW_BYTES] as Buffer);
      this[DECODED] = decoded;
    }
    return decoded;
  }
}
const DECODE = Symbol('decode');
const DECODED = Symbol('decoded');
for (const name of MESSAGE_FIELDS) {
  Object.defineProperty(LazyMessage.prototype, name, {
    get(this: LazyMessage) {
      return this.fields()[name];
    },
  });
}

type Conn = {
  is_open(): boolean;
  transport: { write(socket: unknown): void };
  amqp_transport: { encode(frame: unknown): void };
  socket: unknown;
  local: { close: { error?: unknown; described(): unknown } };
  on(event: string, listener: (e: Error) => void): void;
};

/**
 * rhea ends the socket of a connection whose bytes it cannot read, silently. A client deserves
 * to know why: write a close frame carrying the AMQP error first, when the connection got far
 * enough for a close to mean something. Only the offending connection is touched.
 */
function closeWithError(conn: Conn, condition: string, e: Error): void {
  try {
    if (!conn.is_open()) {
      // AMQP 1.0 §2.2: a peer that cannot speak the requested protocol answers with the header
      // it does support (SASL first) before closing the socket.
      if (/protocol (id|header)|AMQP version|Expecting SASL|SASL layer/i.test(e.message)) {
        (conn.socket as { write(b: Buffer): void }).write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0]));
      }
      return;
    }
    conn.local.close.error = { condition, description: e.message, info: null };
    conn.amqp_transport.encode(frames.amqp_frame!(0 as never, conn.local.close.described() as never));
    conn.transport.write(conn.socket);
  } catch {
    // The socket is going away regardless.
  }
}

/** Where a decoded message keeps the bytes it came from (see patchRhea). */
export const RAW_BYTES = Symbol.for('servicebus-emulator.raw-bytes');

patchRhea();

export { rhea };
// Kept here for importers that predate src/amqp/limits.ts (bench/ceiling-server.ts).
export { MAX_FRAME_SIZE };
// rhea's typings omit Reader, Writer and the section constructors that the codec needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const types: any = rhea.types;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const messageCodec: any = rhea.message;
