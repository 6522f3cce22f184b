/**
 * What a client is handed: a read-only snapshot of a message record, detached from the broker's
 * mutable record so that later changes (a lock ending, a delivery counted) never show through.
 */
import type { Msg } from './records.js';
import type { StoredMessage } from './types.js';

export function snapshot(m: Msg): StoredMessage {
  const h = m.headers;
  return {
    payload: m.payload,
    size: m.size,
    messageId: m.messageId,
    sessionId: m.sessionId,
    partitionKey: h.partitionKey,
    contentType: h.contentType,
    correlationId: h.correlationId,
    subject: h.subject,
    to: h.to,
    replyTo: h.replyTo,
    replyToSessionId: h.replyToSessionId,
    applicationProperties: m.properties,
    propertyChanges: m.changes,
    rewrittenHeaders: h.rewritten,
    sequenceNumber: m.seq,
    enqueuedSequenceNumber: m.enqSeq,
    enqueuedTimeUtc: m.enqueuedAt,
    timeToLiveMs: m.ttl,
    expiresAtUtc: m.expiresAt,
    scheduledEnqueueTimeUtc: m.scheduledAt,
    deliveryCount: m.deliveryCount,
    state: m.state === 'active' && m.fromSchedule ? 'scheduled' : m.state,
    lockToken: m.lockToken,
    lockedUntilUtc: m.lockToken === undefined ? undefined : m.lockedUntil,
    deadLetterReason: m.deadLetter?.reason,
    deadLetterErrorDescription: m.deadLetter?.description,
    deadLetterSource: m.deadLetter?.source,
  };
}
