/**
 * The broker's own mutable message record and the read-only snapshots it hands out.
 *
 * One record lives in exactly one place (a sub-queue, a session, a topic's schedule). Moving a
 * message elsewhere (dead-letter, forward, fan-out) makes a new record and marks the old one gone,
 * so "gone" alone tells every lazy structure whether an entry is stale.
 */
import type { Deadline } from './deadlines.js';
import type { Session } from './sessions.js';
import type { SubQueue } from './store.js';
import type { MessageState, StoredMessage } from './types.js';

/** The rarely set header fields, shared by every copy of a message (they never change). */
export interface MessageHeaders {
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly subject?: string;
  readonly to?: string;
  readonly replyTo?: string;
  readonly replyToSessionId?: string;
  readonly partitionKey?: string;
}

export const NO_HEADERS: MessageHeaders = Object.freeze({});
export const NO_PROPERTIES: Readonly<Record<string, unknown>> = Object.freeze({});

export interface DeadLetterInfo {
  readonly reason?: string;
  readonly description?: string;
  readonly source?: string;
}

export class Msg {
  seq = 0;
  enqSeq = 0;
  enqueuedAt = 0;
  ttl = 0;
  scheduledAt: number | undefined = undefined;
  deliveryCount = 0;
  state: MessageState = 'active';
  gone = false;
  lockToken: string | undefined = undefined;
  /** Expiry of a non-session lock (its instant is the locked-until); session locks have none. */
  lockDeadline: Deadline | undefined = undefined;
  /** TTL expiry, or the scheduled enqueue while state is 'scheduled'. */
  deadline: Deadline | undefined = undefined;
  /** Copy-on-write: snapshots share the map, so it is replaced, never mutated. */
  changes: ReadonlyMap<string, unknown> | undefined = undefined;
  deadLetter: DeadLetterInfo | undefined = undefined;
  /** How many auto-forward hops brought it here. */
  hops = 0;
  /** The sub-queue holding it (unset while it waits on a topic's schedule). */
  home: SubQueue | undefined = undefined;
  /** The session record holding it (session entities only). */
  session: Session | undefined = undefined;

  constructor(
    readonly payload: unknown,
    readonly size: number,
    readonly messageId: string,
    readonly sessionId: string | undefined,
    readonly headers: MessageHeaders,
    readonly properties: Readonly<Record<string, unknown>>,
  ) {}

  // Derived rather than stored: a million queued messages make every field count.
  get expiresAt(): number {
    return Math.min(Number.MAX_SAFE_INTEGER, this.enqueuedAt + this.ttl);
  }

  get lockedUntil(): number {
    if (this.lockToken === undefined) return 0;
    return this.lockDeadline?.at ?? this.session?.lockedUntil ?? 0;
  }

  /** A fresh record for another place, carrying everything the message has accumulated. */
  copy(): Msg {
    const m = new Msg(this.payload, this.size, this.messageId, this.sessionId, this.headers, this.properties);
    m.seq = this.seq;
    m.enqSeq = this.enqSeq;
    m.enqueuedAt = this.enqueuedAt;
    m.ttl = this.ttl;
    m.scheduledAt = this.scheduledAt;
    m.deliveryCount = this.deliveryCount;
    m.changes = this.changes;
    m.deadLetter = this.deadLetter;
    m.hops = this.hops;
    return m;
  }

  modify(propertiesToModify: Record<string, unknown> | undefined): void {
    if (propertiesToModify === undefined) return;
    const keys = Object.keys(propertiesToModify);
    if (keys.length === 0) return;
    const next = new Map(this.changes);
    for (const k of keys) next.set(k, propertiesToModify[k]);
    this.changes = next;
  }
}

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
    sequenceNumber: m.seq,
    enqueuedSequenceNumber: m.enqSeq,
    enqueuedTimeUtc: m.enqueuedAt,
    timeToLiveMs: m.ttl,
    expiresAtUtc: m.expiresAt,
    scheduledEnqueueTimeUtc: m.scheduledAt,
    deliveryCount: m.deliveryCount,
    state: m.state,
    lockToken: m.lockToken,
    lockedUntilUtc: m.lockToken === undefined ? undefined : m.lockedUntil,
    deadLetterReason: m.deadLetter?.reason,
    deadLetterErrorDescription: m.deadLetter?.description,
    deadLetterSource: m.deadLetter?.source,
  };
}
