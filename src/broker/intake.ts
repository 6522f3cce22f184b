/**
 * Checking what a sender hands in and turning it into a record. Every check runs before anything
 * is stored, so a batch is accepted whole or not at all, and a malformed field is an
 * ArgumentError rather than a TypeError somewhere deeper.
 */
import { randomFillSync } from 'node:crypto';
import { errors } from './errors.js';
import { Msg, NO_HEADERS, NO_PROPERTIES, type MessageHeaders } from './records.js';
import { MAX_DURATION_MS, type MessageInput } from './types.js';

/**
 * Message ids are 32 lowercase hex digits. Random bytes are drawn from a pooled buffer and hex-encoded
 * in one native call, which yields a flat string (slicing a GUID would leave a rope per message).
 */
const POOL_IDS = 512;
const pool = Buffer.allocUnsafe(16 * POOL_IDS);
let poolNext = POOL_IDS;

export const newMessageId = (): string => {
  if (poolNext === POOL_IDS) {
    randomFillSync(pool);
    poolNext = 0;
  }
  const at = 16 * poolNext++;
  return pool.toString('hex', at, at + 16);
};

function optionalString(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw errors.argument(`Message field '${field}' must be a string.`);
  if (v.length > max) throw errors.argument(`Message field '${field}' is longer than ${max} characters.`);
  return v;
}

const HEADER_MAX = 128 * 1024;

export interface EntityLimits {
  maxMessageBytes: number;
  requiresSession: boolean;
}

/** Validates one input and builds its record (sequence number and times come later). */
export function toRecord(input: unknown, limits: EntityLimits): Msg {
  if (input === null || typeof input !== 'object') throw errors.argument('Each message must be an object.');
  const m = input as MessageInput;
  const size = m.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw errors.argument('Message size must be a non-negative integer.');
  }
  if (size > limits.maxMessageBytes) throw errors.tooBig(size, limits.maxMessageBytes);

  let messageId = optionalString(m.messageId, 'messageId', 128);
  if (messageId === '') throw errors.argument('Message id must not be empty.');
  messageId ??= newMessageId();
  const sessionId = optionalString(m.sessionId, 'sessionId', 128);
  if (limits.requiresSession && sessionId === undefined) {
    throw errors.invalid(
      'The SessionId was not set on a message, and it cannot be sent to the entity. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.',
    );
  }

  // Most messages carry none of these; test them in a row before building anything.
  let headers: MessageHeaders | undefined;
  if (
    m.contentType != null ||
    m.correlationId != null ||
    m.subject != null ||
    m.to != null ||
    m.replyTo != null ||
    m.replyToSessionId != null ||
    m.partitionKey != null
  ) {
    headers = Object.freeze({
      contentType: optionalString(m.contentType, 'contentType', HEADER_MAX),
      correlationId: optionalString(m.correlationId, 'correlationId', HEADER_MAX),
      subject: optionalString(m.subject, 'subject', HEADER_MAX),
      to: optionalString(m.to, 'to', HEADER_MAX),
      replyTo: optionalString(m.replyTo, 'replyTo', HEADER_MAX),
      replyToSessionId: optionalString(m.replyToSessionId, 'replyToSessionId', 128),
      partitionKey: optionalString(m.partitionKey, 'partitionKey', 128),
    });
  }
  const partitionKey = headers?.partitionKey;
  if (partitionKey !== undefined && sessionId !== undefined && partitionKey !== sessionId) {
    throw errors.invalid(`The PartitionKey '${partitionKey}' must match the SessionId '${sessionId}'.`);
  }

  let ttl = MAX_DURATION_MS;
  if (m.timeToLiveMs !== undefined && m.timeToLiveMs !== null) {
    const t = m.timeToLiveMs;
    if (typeof t !== 'number' || Number.isNaN(t) || t <= 0) throw errors.argument('Message timeToLiveMs must be a positive number.');
    ttl = Math.min(t, MAX_DURATION_MS);
  }
  const scheduled = m.scheduledEnqueueTimeUtc;
  if (scheduled !== undefined && scheduled !== null && (typeof scheduled !== 'number' || !Number.isFinite(scheduled))) {
    throw errors.argument('Message scheduledEnqueueTimeUtc must be a finite number.');
  }
  const props = m.applicationProperties;
  if (props !== undefined && props !== null && (typeof props !== 'object' || Array.isArray(props))) {
    throw errors.argument('Message applicationProperties must be an object.');
  }

  const record = new Msg(
    m.payload,
    size,
    messageId,
    sessionId,
    headers ?? NO_HEADERS,
    props === undefined || props === null ? NO_PROPERTIES : props,
  );
  record.ttl = ttl;
  record.scheduledAt = scheduled ?? undefined;
  return record;
}
