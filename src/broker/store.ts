/**
 * One receivable sub-queue: the main queue of a queue or subscription, or its dead-letter queue.
 * It owns where each message sits (sequence index, ready order, lock map, sessions) and the
 * counts that runtime() reports, kept as running totals so reading them is O(1).
 *
 * It knows nothing about other entities: forwarding, dead-lettering and TTL policy live in the
 * modules that move messages between sub-queues.
 */
import type { AnyReceivable } from './entities.js';
import { LockTable } from './locks.js';
import type { Msg } from './message.js';
import { ReadyQueue } from './readyQueue.js';
import type { Deadlines } from './deadlines.js';
import { SequenceIndex } from './sequenceIndex.js';
import { type Session, SessionTable } from './sessions.js';

/** A receiver registered for "messages available" notifications. */
export interface Notifiable {
  notifyQueued: boolean;
  readonly closed: boolean;
  fireAvailable(): void;
}

export class SubQueue<R extends Notifiable = Notifiable> {
  readonly index = new SequenceIndex<Msg>();
  readonly ready = new ReadyQueue<Msg>();
  readonly locks = new LockTable<Msg>();
  /** Non-session receivers, told when messages they could take become available. */
  readonly receivers = new Set<R>();
  readonly sessions: SessionTable | undefined;
  activeCount = 0;
  scheduledCount = 0;
  readyCount = 0;
  sizeInBytes = 0;
  /** The queue or subscription this belongs to (set by the entity right after construction). */
  owner!: AnyReceivable;

  constructor(
    /** Path as created, for messages and dead-letter sources. */
    readonly path: string,
    readonly deadLetter: boolean,
    withSessions: boolean,
    private readonly deadlines: Deadlines,
  ) {
    this.sessions = withSessions ? new SessionTable(this) : undefined;
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
  lock(m: Msg): string {
    if (m.state === 'active') {
      this.readyCount--;
      const s = this.sessionOf(m);
      if (s !== undefined) {
        s.readyCount--;
        if (s.listed && s.readyCount === 0) this.sessions!.refresh(s);
      }
    }
    const token = this.locks.issue(m);
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
