/**
 * The edge between AMQP messages and the broker's protocol-neutral record.
 *
 * A message keeps the client's bytes: the properties, application-properties, body and footer
 * sections are stored raw and written back unchanged, so every AMQP type survives (rhea's
 * decode/encode would turn an int into a uint, a uuid into binary). Only the header and the
 * message annotations are rebuilt on delivery, since the broker owns delivery-count and the
 * x-opt-* stamps; application properties are re-encoded only when settlement changed them.
 */
import type { MessageInput, StoredMessage } from '../broker/types.js';
import { MESSAGE_STATE_CODE } from '../broker/types.js';
import { uuidToBytes, bytesToUuid } from './dotnet.js';
import { checkEncoding } from './engine/decoder.js';
import { HeadWriter } from './headWriter.js';
import { typedApplicationProperties } from './typedProperties.js';
import { checkSections, MessageDecodeError } from './messageSections.js';
import { messageCodec, types } from './rhea.js';

/** What src/amqp stores as MessageInput.payload. */
export interface AmqpPayload {
  header?: { durable?: boolean; priority?: number; ttl?: number; first_acquirer?: boolean };
  /** Typed key/value items of the client's message annotations, minus the broker-owned keys. */
  annotations: unknown[];
  /** Those items encoded, made on first delivery. */
  annotationBytes?: Buffer;
  properties?: Buffer;
  /** Whether the client set a message-id; if not, the broker's goes into the properties on delivery. */
  hasMessageId: boolean;
  /** The properties section with the broker's message-id, made on first delivery. */
  stampedProperties?: { messageId: string; bytes: Buffer };
  applicationProperties?: Buffer;
  /** Body sections and footer. */
  body: Buffer;
}

const SECTION = { header: 0x70, deliveryAnnotations: 0x71, messageAnnotations: 0x72, properties: 0x73, applicationProperties: 0x74 } as const;

/** Annotations the broker stamps itself; a client's values for them are dropped. */
const BROKER_ANNOTATIONS = new Set([
  'x-opt-sequence-number',
  'x-opt-enqueued-time',
  'x-opt-locked-until',
  'x-opt-message-state',
  'x-opt-enqueue-sequence-number',
  'x-opt-deadletter-source',
]);

export { MessageDecodeError };

/** What rhea decodes from no sections, or from empty header and properties: no field set. */
const NO_SECTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Whether a head holds nothing but empty (list0) header and properties sections, as rhea writes them. */
function onlyEmptySections(head: Buffer): boolean {
  if (head.length % 4 !== 0) return false;
  for (let i = 0; i < head.length; i += 4) {
    if (head[i] !== 0x00 || head[i + 1] !== 0x53 || head[i + 3] !== 0x45) return false;
    if (head[i + 2] !== SECTION.header && head[i + 2] !== SECTION.properties) return false;
  }
  return true;
}

interface Typed {
  value: unknown;
  descriptor?: { value: unknown };
}

const unwrap = (t: unknown): unknown => (t && typeof t === 'object' && 'value' in t ? (t as Typed).value : t);

/** Message ids and correlation ids may be string, ulong, uuid or binary: the broker compares their text. */
export function idToString(id: unknown): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  if (Buffer.isBuffer(id)) return id.length === 16 ? bytesToUuid(id) : id.toString('hex');
  return String(id);
}

const asString = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

function toMs(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE());
  return undefined;
}

/** Decodes one encoded AMQP message (as sent by a client) into a broker MessageInput. */
export function decodeMessage(raw: Buffer): MessageInput {
  // rhea trusts the counts it reads (a hostile count allocates without end): check every section
  // with the bounded decoder first, and let rhea read only those ahead of the body.
  const headEnd = checkSections(raw);
  const reader = new types.Reader(raw.subarray(0, headEnd));
  let bodyStart = headEnd;
  const payload: AmqpPayload = { annotations: [], body: raw, hasMessageId: false };
  let head: Buffer | undefined;
  try {
    while (reader.remaining()) {
      const start = reader.position as number;
      if (raw[start] !== 0x00) throw new MessageDecodeError('expected a described message section');
      const section = reader.read() as Typed & { descriptor: { value: unknown } };
      const code = Number(section.descriptor?.value);
      if (code === SECTION.properties) payload.properties = raw.subarray(start, reader.position);
      else if (code === SECTION.applicationProperties) payload.applicationProperties = raw.subarray(start, reader.position);
      else if (code === SECTION.messageAnnotations) {
        const items = section.value as unknown[];
        for (let i = 0; i + 1 < items.length; i += 2) {
          if (!BROKER_ANNOTATIONS.has(String(unwrap(items[i])))) payload.annotations.push(items[i], items[i + 1]);
        }
      } else if (code !== SECTION.header && code !== SECTION.deliveryAnnotations) {
        bodyStart = start;
        break;
      }
    }
    head = raw.subarray(0, bodyStart);
  } catch (e) {
    if (e instanceof MessageDecodeError) throw e;
    throw new MessageDecodeError(`malformed message: ${(e as Error).message}`);
  }
  payload.body = raw.subarray(bodyStart);
  // Nothing ahead of the body but empty sections (a bare message, as load tools send): nothing
  // for rhea to read.
  const m = (onlyEmptySections(head) ? NO_SECTIONS : messageCodec.decode(head)) as Record<string, any>;
  if (m.durable !== undefined || m.priority !== undefined || m.ttl !== undefined || m.first_acquirer !== undefined) {
    payload.header = { durable: m.durable, priority: m.priority, ttl: m.ttl, first_acquirer: m.first_acquirer };
  }
  const ann = (m.message_annotations ?? {}) as Record<string, unknown>;
  payload.hasMessageId = m.message_id !== undefined && m.message_id !== null;
  return {
    payload,
    size: raw.length,
    messageId: idToString(m.message_id),
    sessionId: asString(m.group_id),
    partitionKey: asString(ann['x-opt-partition-key']),
    timeToLiveMs: typeof m.ttl === 'number' && m.ttl > 0 ? m.ttl : undefined,
    scheduledEnqueueTimeUtc: toMs(ann['x-opt-scheduled-enqueue-time']),
    contentType: asString(m.content_type),
    correlationId: idToString(m.correlation_id),
    subject: asString(m.subject),
    to: asString(m.to),
    replyTo: asString(m.reply_to),
    replyToSessionId: asString(m.reply_to_group_id),
    applicationProperties: typedApplicationProperties(payload.applicationProperties, (m.application_properties ?? {}) as Record<string, unknown>),
  };
}

/** Splits a batch envelope (message-format 0x80013700): each data section is one encoded message. */
export function splitBatch(raw: Buffer): Buffer[] {
  const reader = new types.Reader(raw);
  const out: Buffer[] = [];
  try {
    checkEncoding(raw);
    while (reader.remaining()) {
      const section = reader.read() as Typed & { descriptor: { value: unknown } };
      if (Number(section.descriptor?.value) === 0x75) out.push(section.value as Buffer);
    }
  } catch (e) {
    throw new MessageDecodeError(`malformed batch: ${(e as Error).message}`);
  }
  if (out.length === 0) throw new MessageDecodeError('a batch must hold at least one message');
  return out;
}

export interface EncodeOptions {
  /** Adds x-opt-message-state (deliveries, peek and receive-by-sequence-number). */
  withState?: boolean;
  /** Adds delivery-annotations x-opt-lock-token when locked (deliveries, receive-by-sequence-number). */
  lockTokenAnnotation?: boolean;
  /** Leaves the body out (peek with omit-message-body). */
  omitBody?: boolean;
}


/**
 * A copy of exactly `b` for what a stored message keeps: rhea's Writer hands out a view of its
 * 1 KB working buffer, and Buffer.from would take a slot in Node's shared 8 KB pool; either keeps
 * far more memory alive than the section it holds, for as long as the message is stored.
 */
function kept(b: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(b.length);
  b.copy(out);
  return out;
}

/** Client annotation items (typed), encoded once per message and reused for every delivery. */
function clientAnnotationBytes(p: AmqpPayload): Buffer {
  if (p.annotationBytes === undefined) {
    const w = new types.Writer();
    for (const item of p.annotations) w.write(item);
    p.annotationBytes = kept(w.toBuffer() as Buffer);
  }
  return p.annotationBytes;
}

const headWriter = new HeadWriter();
/** The fixed part of a head's largest size: header, lock-token annotation, broker stamps. */
const HEAD_FIXED_MAX = 512;

/** Encodes a stored message for a peek or a management response: one buffer. */
export function encodeMessage(msg: StoredMessage, options: EncodeOptions = {}): Buffer {
  return Buffer.concat(encodeMessageParts(msg, options));
}

/**
 * Encodes a stored message for a delivery as the buffers that follow one another on the wire:
 * the head (header and annotations, a view of a shared slab), then the client's own sections as
 * stored. The engine copies them straight into the transfer frame, so no per-delivery buffer
 * holds the whole message.
 */
export function encodeMessageParts(msg: StoredMessage, options: EncodeOptions = {}): Buffer[] {
  const p = msg.payload as AmqpPayload;
  const annotations = p.annotations.length ? clientAnnotationBytes(p) : undefined;
  const w = headWriter;
  w.begin(HEAD_FIXED_MAX + (annotations?.length ?? 0) + 3 * (msg.deadLetterSource?.length ?? 0));
  const h = p.header ?? {};
  const headerAt = w.section(SECTION.header, 0xd0);
  w.byte(h.durable ? 0x41 : 0x42);
  w.byte(0x50);
  w.byte(h.priority ?? 4);
  if (typeof h.ttl === 'number') {
    w.byte(0x70);
    w.uint32(h.ttl);
  } else w.byte(0x40);
  w.byte(h.first_acquirer ? 0x41 : 0x42);
  w.byte(0x70);
  w.uint32(msg.deliveryCount);
  w.endSection(headerAt, 5);

  if (options.lockTokenAnnotation && msg.lockToken) {
    const at = w.section(SECTION.deliveryAnnotations, 0xd1);
    w.symbol('x-opt-lock-token');
    w.byte(0x98);
    w.bytes(uuidToBytes(msg.lockToken));
    w.endSection(at, 2);
  }

  const annotationsAt = w.section(SECTION.messageAnnotations, 0xd1);
  let count = p.annotations.length;
  if (annotations) w.bytes(annotations);
  w.symbol('x-opt-sequence-number');
  w.long(msg.sequenceNumber);
  w.symbol('x-opt-enqueued-time');
  w.timestamp(msg.enqueuedTimeUtc);
  count += 4;
  if (msg.lockedUntilUtc !== undefined) {
    w.symbol('x-opt-locked-until');
    w.timestamp(msg.lockedUntilUtc);
    count += 2;
  }
  if (options.withState) {
    w.symbol('x-opt-message-state');
    w.int(MESSAGE_STATE_CODE[msg.state]);
    count += 2;
  }
  if (msg.enqueuedSequenceNumber !== undefined) {
    w.symbol('x-opt-enqueue-sequence-number');
    w.long(msg.enqueuedSequenceNumber);
    count += 2;
  }
  if (msg.deadLetterSource !== undefined) {
    w.symbol('x-opt-deadletter-source');
    w.string(msg.deadLetterSource);
    count += 2;
  }
  w.endSection(annotationsAt, count);

  const parts = [w.done()];
  const properties = msg.rewrittenHeaders?.size
    ? rewrittenProperties(p, msg)
    : p.hasMessageId
      ? p.properties
      : propertiesWithMessageId(p, msg.messageId);
  if (properties) parts.push(properties);
  const app = msg.propertyChanges?.size ? encodeApplicationProperties(p.applicationProperties, msg.propertyChanges) : p.applicationProperties;
  if (app) parts.push(app);
  if (!options.omitBody) parts.push(p.body);
  return parts;
}

/**
 * The client's properties section with the broker-assigned message-id in field 0 (JS needs an id
 * to settle). Other fields keep their encoding. Made once per message and kept.
 */
function propertiesWithMessageId(p: AmqpPayload, messageId: string): Buffer {
  if (p.stampedProperties?.messageId === messageId) return p.stampedProperties.bytes;
  // No properties, or an empty list of them (rhea writes one): only the id to write.
  if (!p.properties || (p.properties.length === 4 && p.properties[3] === 0x45)) {
    const bytes = propertiesOfId(messageId);
    p.stampedProperties = { messageId, bytes };
    return bytes;
  }
  let fields: unknown[] = [];
  if (p.properties) {
    const section = new types.Reader(p.properties).read() as Typed;
    fields = [...(section.value as unknown[])];
  }
  fields[0] = types.wrap_string(messageId);
  for (let i = 0; i < fields.length; i++) if (fields[i] === undefined) fields[i] = null;
  const w = new types.Writer();
  w.write(types.described(types.wrap_ulong(SECTION.properties), types.wrap_list(fields)));
  const bytes = kept(w.toBuffer() as Buffer);
  p.stampedProperties = { messageId, bytes };
  return bytes;
}

/** Positions in the AMQP properties list of the header fields a rule action may change. */
const PROPERTY_FIELD: Record<string, number> = { messageId: 0, to: 2, subject: 3, replyTo: 4, correlationId: 5, contentType: 6, sessionId: 10, replyToSessionId: 12 };

/**
 * The client's properties section with the fields a rule action changed written from the
 * message; the others keep their encoding. Made per delivery: only rule-action copies need it.
 */
function rewrittenProperties(p: AmqpPayload, msg: StoredMessage): Buffer {
  let fields: unknown[] = [];
  if (p.properties) fields = [...((new types.Reader(p.properties).read() as Typed).value as unknown[])];
  const value: Record<string, string | undefined> = {
    messageId: msg.messageId,
    to: msg.to,
    subject: msg.subject,
    replyTo: msg.replyTo,
    correlationId: msg.correlationId,
    contentType: msg.contentType,
    sessionId: msg.sessionId,
    replyToSessionId: msg.replyToSessionId,
  };
  const write = (field: string): void => {
    const at = PROPERTY_FIELD[field];
    if (at === undefined) return;
    const v = value[field];
    fields[at] = v === undefined ? null : field === 'contentType' ? types.wrap_symbol(v) : types.wrap_string(v);
  };
  for (const field of msg.rewrittenHeaders!) write(field);
  if (!p.hasMessageId) write('messageId');
  for (let i = 0; i < fields.length; i++) if (fields[i] === undefined) fields[i] = null;
  while (fields.length > 0 && fields[fields.length - 1] === null) fields.pop();
  const w = new types.Writer();
  w.write(types.described(types.wrap_ulong(SECTION.properties), types.wrap_list(fields)));
  return w.toBuffer() as Buffer;
}

/**
 * A properties section holding only a message-id, written directly: each message a client sent
 * without properties needs one on its first delivery. The bytes are the ones rhea's writer makes
 * (list32, str8 or str32) without its composite types per message.
 */
function propertiesOfId(messageId: string): Buffer {
  const n = Buffer.byteLength(messageId, 'utf8');
  const str = n < 256 ? 2 + n : 5 + n;
  const b = Buffer.allocUnsafe(12 + str);
  b[0] = 0x00;
  b[1] = 0x53;
  b[2] = SECTION.properties;
  b[3] = 0xd0;
  b.writeUInt32BE(4 + str, 4);
  b.writeUInt32BE(1, 8);
  let at = 12;
  if (n < 256) {
    b[at++] = 0xa1;
    b[at++] = n;
  } else {
    b[at++] = 0xb1;
    b.writeUInt32BE(n, at);
    at += 4;
  }
  b.write(messageId, at, 'utf8');
  return b;
}

/** Re-encodes application properties with settlement changes applied, keeping the other entries' types. */
function encodeApplicationProperties(original: Buffer | undefined, changes: ReadonlyMap<string, unknown>): Buffer {
  const items: unknown[] = [];
  if (original) {
    const section = new types.Reader(original).read() as Typed;
    const old = section.value as unknown[];
    for (let i = 0; i + 1 < old.length; i += 2) {
      if (!changes.has(String(unwrap(old[i])))) items.push(old[i], old[i + 1]);
    }
  }
  for (const [k, v] of changes) if (v !== undefined) items.push(types.wrap_string(k), types.wrap(v));
  const w = new types.Writer();
  w.write(types.described(types.wrap_ulong(SECTION.applicationProperties), (types as any).Map32(items)));
  return w.toBuffer() as Buffer;
}
