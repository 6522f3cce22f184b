/**
 * The sessions of one session-enabled sub-queue, the list of those a client could accept now, and
 * the accept-next-session calls waiting for one.
 *
 * The available list is intrusive and doubly linked, in the order sessions became available:
 * taking the head, appending and unlinking are O(1), so accepting the next session costs the same
 * with ten sessions or a million, and nothing ever scans all sessions.
 *
 * Generic over the session record so that this module needs nothing from records.ts, which builds
 * its sub-queues on it.
 */
import { Deque } from './deque.js';
import type { BrokerError } from './errors.js';

/** What the table needs of a session record. */
export interface TableEntry<S> {
  readonly id: string;
  /** Unlocked with a message ready: accept-next may take it. */
  readonly available: boolean;
  /** No lock, no messages, no state: nothing to remember it for. */
  readonly idle: boolean;
  listed: boolean;
  prev: S | undefined;
  next: S | undefined;
}

/** An accept-next-session call waiting for a session to become available. */
export interface AcceptWaiter<S> {
  active: boolean;
  /** Locks `session` for the waiter and reports it; the session leaves the available list. */
  grant(session: S): void;
  /** Stops waiting and reports `error` (the entity went away, or the wait timed out). */
  fail(error: BrokerError): void;
}

export class SessionTable<S extends TableEntry<S>, W extends AcceptWaiter<S> = AcceptWaiter<S>> {
  readonly sessions = new Map<string, S>();
  readonly waiters = new Deque<W>();
  private head: S | undefined;
  private tail: S | undefined;

  constructor(private readonly create: (id: string) => S) {}

  get(id: string): S | undefined {
    return this.sessions.get(id);
  }

  ensure(id: string): S {
    let s = this.sessions.get(id);
    if (s === undefined) {
      s = this.create(id);
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Puts the session on or off the available list to match its state. */
  refresh(s: S): void {
    if (s.available) {
      if (!s.listed) this.append(s);
    } else if (s.listed) {
      this.unlink(s);
    }
  }

  dropIfIdle(s: S): void {
    if (s.idle && this.sessions.get(s.id) === s) {
      if (s.listed) this.unlink(s);
      this.sessions.delete(s.id);
    }
  }

  firstAvailable(): S | undefined {
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

  /** Hands available sessions to waiting accept-next-session calls, first come first served. */
  serveWaiters(): void {
    while (this.head !== undefined && this.hasWaiters()) this.takeWaiter()!.grant(this.head);
  }

  private append(s: S): void {
    s.listed = true;
    s.prev = this.tail;
    s.next = undefined;
    if (this.tail === undefined) this.head = s;
    else this.tail.next = s;
    this.tail = s;
  }

  private unlink(s: S): void {
    s.listed = false;
    if (s.prev === undefined) this.head = s.next;
    else s.prev.next = s.next;
    if (s.next === undefined) this.tail = s.prev;
    else s.next.prev = s.prev;
    s.prev = s.next = undefined;
  }
}
