/**
 * Sessions of one session-enabled sub-queue: each session's FIFO and index, its lock, its state,
 * and the index of sessions available to accept-next-session.
 *
 * The available index is an intrusive doubly-linked list in the order sessions became available:
 * taking the head, appending and unlinking are O(1), so accepting the next session costs the same
 * with ten sessions or a million, and nothing ever scans all sessions.
 */
import { Deque } from './deque.js';
import type { BrokerError } from './errors.js';
import type { Msg } from './message.js';
import { ReadyQueue } from './readyQueue.js';
import type { Deadline } from './deadlines.js';
import { SequenceIndex } from './sequenceIndex.js';
import type { SubQueue } from './store.js';

/** Who holds a session lock: the session receiver itself. */
export interface SessionHolder {
  closed: boolean;
  notifyQueued: boolean;
  fireAvailable(): void;
  /** Marks the receiver closed and tells the adapter (called as an effect). */
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
}

/** An accept-next-session call waiting for a session to become available. */
export interface AcceptWaiter {
  active: boolean;
  deadline: Deadline | undefined;
  /** Locks `session` for the waiter and reports it; the session leaves the available list. */
  grant(session: Session): void;
}

export class SessionTable<W extends AcceptWaiter = AcceptWaiter> {
  readonly sessions = new Map<string, Session>();
  readonly waiters = new Deque<W>();
  private head: Session | undefined;
  private tail: Session | undefined;

  constructor(private readonly home: SubQueue) {}

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  ensure(id: string): Session {
    let s = this.sessions.get(id);
    if (s === undefined) {
      s = new Session(id, this.home);
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Puts the session on or off the available list to match its state. */
  refresh(s: Session): void {
    if (s.available) {
      if (!s.listed) this.append(s);
    } else if (s.listed) {
      this.unlink(s);
    }
  }

  /** Forgets a session that has nothing left: no lock, no messages, no state. */
  dropIfIdle(s: Session): void {
    if (s.holder === undefined && s.messageCount === 0 && s.state === null && this.sessions.get(s.id) === s) {
      if (s.listed) this.unlink(s);
      this.sessions.delete(s.id);
    }
  }

  firstAvailable(): Session | undefined {
    return this.head;
  }

  /** The first waiter still waiting, removed from the queue. */
  takeWaiter(): W | undefined {
    for (;;) {
      const w = this.waiters.shift();
      if (w === undefined || w.active) return w;
    }
  }

  hasWaiters(): boolean {
    for (;;) {
      const w = this.waiters.peek();
      if (w === undefined) return false;
      if (w.active) return true;
      this.waiters.shift();
    }
  }

  private append(s: Session): void {
    s.listed = true;
    s.prev = this.tail;
    s.next = undefined;
    if (this.tail === undefined) this.head = s;
    else this.tail.next = s;
    this.tail = s;
  }

  private unlink(s: Session): void {
    s.listed = false;
    if (s.prev === undefined) this.head = s.next;
    else s.prev.next = s.next;
    if (s.next === undefined) this.tail = s.prev;
    else s.next.prev = s.prev;
    s.prev = s.next = undefined;
  }
}
