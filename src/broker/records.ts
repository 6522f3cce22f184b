/**
 * The broker's mutable records: a message, the session that orders it (on session entities), and
 * the sub-queue that holds both, with the counts runtime() reports kept as running totals.
 *
 * They point at one another (a message knows its sub-queue and session; a sub-queue holds messages
 * and sessions; a session holds its messages and knows its sub-queue), so they share a module:
 * apart, each would import the others. What moves a message from one sub-queue to another
 * (forwarding, dead-lettering, expiry) lives in the concept modules, not here.
 *
 * One record lives in exactly one place (a sub-queue, a session, a topic's schedule). Moving a
 * message elsewhere (dead-letter, forward, fan-out) makes a new record and marks the old one gone,
 * so "gone" alone tells every lazy structure whether an entry is stale.
 */
import type { Deadline, Deadlines } from './deadlines.js';
import type { BrokerError } from './errors.js';
import { LockTable } from './lockTokens.js';
import { ReadyQueue } from './readyQueue.js';
import { SequenceIndex } from './sequenceIndex.js';
import { type AcceptWaiter, SessionTable } from './sessionTable.js';
import type { EntityTimes, MessageState, ReceivableProperties } from './types.js';

/** The rarely set header fields, shared by every copy of a message (they never change). */
export interface MessageHeaders {
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly subject?: string;
  readonly to?: string;
  readonly replyTo?: string;
  readonly replyToSessionId?: string;
  readonly partitionKey?: string;
  /** Fields a rule action changed (messageId and sessionId included): the wire form is rewritten. */
  readonly rewritten?: ReadonlySet<string>;
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
  /** Enqueued by its schedule: Azure keeps reporting such a message as scheduled once active. */
  fromSchedule = false;
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
    return this.copyWith(this.messageId, this.sessionId, this.headers);
  }

  /** A copy with other header fields (a rule action set them). */
  copyWith(messageId: string, sessionId: string | undefined, headers: MessageHeaders): Msg {
    const m = new Msg(this.payload, this.size, messageId, sessionId, headers, this.properties);
    m.seq = this.seq;
    m.enqSeq = this.enqSeq;
    m.enqueuedAt = this.enqueuedAt;
    m.ttl = this.ttl;
    m.scheduledAt = this.scheduledAt;
    m.deliveryCount = this.deliveryCount;
    m.changes = this.changes;
    m.deadLetter = this.deadLetter;
    m.hops = this.hops;
    m.fromSchedule = this.fromSchedule;
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

/** A receiver registered for "messages available" notifications. */
export interface Notifiable {
  /** Set while a notification is queued, so an operation wakes each receiver once. */
  notifyQueued: boolean;
  closed: boolean;
  fireAvailable(): void;
}

/** Who holds a session lock: the session receiver itself. */
export interface SessionHolder extends Notifiable {
  readonly owner?: string;
  /** Tells the adapter the lock is gone (run as an effect, after the receiver is closed). */
  lockLost(error: BrokerError): void;
}

export class Session {
  readonly ready = new ReadyQueue<Msg>();
  readonly index = new SequenceIndex<Msg>();
  /** Messages locked under this session's lock; they come back when the lock goes. */
  readonly lockedMessages = new Set<Msg>();
  readyCount = 0;
  /** Every message of the session in the main sub-queue (any state). */
  messageCount = 0;
  holder: SessionHolder | undefined = undefined;
  lockedUntil = 0;
  lockDeadline: Deadline | undefined = undefined;
  state: Uint8Array | null = null;
  stateUpdatedAt = 0;
  // Links of the available list.
  prev: Session | undefined = undefined;
  next: Session | undefined = undefined;
  listed = false;

  constructor(
    readonly id: string,
    readonly home: SubQueue,
  ) {}

  get available(): boolean {
    return this.holder === undefined && this.readyCount > 0;
  }

  get idle(): boolean {
    return this.holder === undefined && this.messageCount === 0 && this.state === null;
  }
}

/** The queue or subscription a sub-queue belongs to, as far as moving its messages needs. */
export interface Receivable {
  /** Path as created: `queue` or `topic/Subscriptions/sub`. */
  readonly path: string;
  readonly properties: ReceivableProperties;
  readonly times: EntityTimes;
  readonly deleted: boolean;
  readonly main: SubQueue;
  readonly dlq: SubQueue;
}

export type Sessions = SessionTable<Session, AcceptWaiter<Session>>;

/** One receivable sub-queue: the main queue of a queue or subscription, or its dead-letter queue. */
export class SubQueue {
  readonly index = new SequenceIndex<Msg>();
  readonly ready = new ReadyQueue<Msg>();
  readonly locks = new LockTable<Msg>();
  /** Non-session receivers, told when messages they could take become available. */
  readonly receivers = new Set<Notifiable>();
  readonly sessions: Sessions | undefined;
  activeCount = 0;
  scheduledCount = 0;
  readyCount = 0;
  sizeInBytes = 0;
  /** The queue or subscription this belongs to (set by the entity right after construction). */
  owner!: Receivable;

  constructor(
    /** Path as created, for messages and dead-letter sources. */
    readonly path: string,
    readonly deadLetter: boolean,
    withSessions: boolean,
    private readonly deadlines: Deadlines,
  ) {
    this.sessions = withSessions ? new SessionTable((id) => new Session(id, this)) : undefined;
  }

  sessionOf(m: Msg): Session | undefined {
    return m.session;
  }

  /** Takes in a new record (not locked) in its current state. */
  insert(m: Msg): void {
    m.home = this;
    this.index.add(m);
    this.sizeInBytes += m.size;
    if (m.state === 'scheduled') this.scheduledCount++;
    else this.activeCount++;
    if (this.sessions !== undefined) {
      const s = this.sessions.ensure(m.sessionId!);
      m.session = s;
      s.index.add(m);
      s.messageCount++;
    }
    if (m.state === 'active') this.markReady(m);
  }

  /** A held, unlocked message becomes deliverable (sent, returned, or activated). */
  markReady(m: Msg): void {
    const s = this.sessionOf(m);
    if (s !== undefined) {
      s.ready.add(m);
      s.readyCount++;
      if (!s.listed && s.holder === undefined) this.sessions!.refresh(s);
    } else {
      this.ready.add(m);
    }
    this.readyCount++;
  }

  /** Scheduled -> active. */
  activate(m: Msg): void {
    this.scheduledCount--;
    this.activeCount++;
    m.state = 'active';
    this.markReady(m);
  }

  /**
   * Next deliverable message of a non-session sub-queue, or of one session. It still counts as
   * ready until the caller locks or removes it, which it must do at once.
   */
  takeReady(s?: Session): Msg | undefined {
    return s === undefined ? this.ready.take() : s.ready.take();
  }

  /** Locks a message taken from the ready order (or a deferred one); returns the token. */
  lock(m: Msg, holder?: string): string {
    if (m.state === 'active') {
      this.readyCount--;
      const s = this.sessionOf(m);
      if (s !== undefined) {
        s.readyCount--;
        if (s.listed && s.readyCount === 0) this.sessions!.refresh(s);
      }
    }
    const token = this.locks.issue(m, holder);
    this.sessionOf(m)?.lockedMessages.add(m);
    return token;
  }

  unlock(m: Msg): void {
    if (m.lockToken === undefined) return;
    this.locks.delete(m);
    this.sessionOf(m)?.lockedMessages.delete(m);
    this.deadlines.cancel(m.lockDeadline);
    m.lockDeadline = undefined;
    m.lockToken = undefined;
  }

  /** Removes a message for good (completed, deleted, expired, moved elsewhere). */
  remove(m: Msg): void {
    if (m.gone) return;
    const wasReady = m.state === 'active' && m.lockToken === undefined;
    this.unlock(m);
    this.deadlines.cancel(m.deadline);
    m.deadline = undefined;
    m.gone = true;
    this.index.noteRemoved();
    this.sizeInBytes -= m.size;
    if (m.state === 'scheduled') this.scheduledCount--;
    else this.activeCount--;
    if (wasReady) this.readyCount--;
    const s = this.sessionOf(m);
    if (s !== undefined) {
      s.index.noteRemoved();
      s.messageCount--;
      if (wasReady) {
        s.readyCount--;
        if (s.readyCount === 0 && s.listed) this.sessions!.refresh(s);
      }
      this.sessions!.dropIfIdle(s);
    }
  }

  /** Drops everything (entity deleted). */
  clear(): void {
    for (const m of this.index.from(0)) {
      this.deadlines.cancel(m.lockDeadline);
      this.deadlines.cancel(m.deadline);
      m.gone = true;
    }
    this.index.clear();
    this.ready.clear();
    this.locks.clear();
    this.receivers.clear();
    this.activeCount = this.scheduledCount = this.readyCount = this.sizeInBytes = 0;
  }
}
