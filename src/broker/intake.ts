/**
 * Checking what a sender hands in and turning it into a record. Every check runs before anything
 * is stored, so a batch is accepted whole or not at all, and a malformed field is an
 * ArgumentError rather than a TypeError somewhere deeper.
 */
import { randomUUID } from 'node:crypto';
import { errors } from './errors.js';
import { Msg, NO_HEADERS, NO_PROPERTIES, type MessageHeaders } from './message.js';
import { MAX_DURATION_MS, type MessageInput } from './types.js';

const HEADER_FIELDS = ['contentType', 'correlationId', 'subject', 'to', 'replyTo', 'replyToSessionId', 'partitionKey'] as const;

export const newMessageId = (): string => randomUUID().replace(/-/g, '');

function optionalString(input: MessageInput, field: keyof MessageInput, max = Infinity): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw errors.argument(`Message field '${field}' must be a string.`);
  if (v.length > max) throw errors.argument(`Message field '${field}' is longer than ${max} characters.`);
  return v;
}

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

  let messageId = optionalString(m, 'messageId', 128);
  if (messageId === '') throw errors.argument('Message id must not be empty.');
  messageId ??= newMessageId();
  const sessionId = optionalString(m, 'sessionId', 128);
  if (limits.requiresSession && sessionId === undefined) {
    throw errors.invalid(
      'The SessionId was not set on a message, and it cannot be sent to the entity. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.',
    );
  }

  let headers: Record<string, string> | undefined;
  for (const field of HEADER_FIELDS) {
    const v = optionalString(m, field, 128 * 1024);
    if (v !== undefined) (headers ??= {})[field] = v;
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
    headers === undefined ? NO_HEADERS : (Object.freeze(headers) as MessageHeaders),
    props === undefined || props === null ? NO_PROPERTIES : props,
  );
  record.ttl = ttl;
  record.scheduledAt = scheduled ?? undefined;
  return record;
}
