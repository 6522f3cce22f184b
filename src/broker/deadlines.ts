/**
 * The broker's only notion of "later": one min-heap of due instants for every kind of deadline
 * (message lock, session lock, TTL, scheduled enqueue, accept-next-session, auto-delete, transaction timeout). Nothing here reads
 * the wall clock or arms a timer: the host's one real timer (BrokerTimer in src/server) is armed
 * for nextDueAt() and calls tick(), which runs whatever is due.
 *
 * Cancelling is lazy (a flag) because removing from the middle of a heap is O(n); the heap is
 * rebuilt once cancelled entries outnumber live ones, which keeps memory bounded when, as in
 * steady peek-lock traffic, almost every lock deadline is cancelled by a completion.
 */
import { MinHeap } from './heap.js';

export const DeadlineKind = {
  MessageLock: 1,
  SessionLock: 2,
  Expiry: 3,
  ScheduledEnqueue: 4,
  AcceptDeadline: 5,
  AutoDelete: 6,
  Transaction: 7,
} as const;
export type DeadlineKind = (typeof DeadlineKind)[keyof typeof DeadlineKind];

export class Deadline<T = unknown> {
  cancelled = false;
  constructor(
    readonly at: number,
    readonly id: number,
    readonly kind: DeadlineKind,
    readonly target: T,
  ) {}
}

const earlier = (a: Deadline, b: Deadline): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

export class Deadlines {
  private readonly heap = new MinHeap<Deadline>(earlier);
  private nextId = 0;
  private cancelledCount = 0;

  add<T>(at: number, kind: DeadlineKind, target: T): Deadline<T> {
    const deadline = new Deadline(at, this.nextId++, kind, target);
    this.heap.push(deadline);
    return deadline;
  }

  cancel(deadline: Deadline | undefined): void {
    if (deadline === undefined || deadline.cancelled) return;
    deadline.cancelled = true;
    this.cancelledCount++;
    if (this.cancelledCount > 64 && this.cancelledCount * 2 > this.heap.size) {
      this.heap.filter((t) => !t.cancelled);
      this.cancelledCount = 0;
    }
  }

  nextDueAt(): number | undefined {
    this.dropCancelledTop();
    return this.heap.peek()?.at;
  }

  /** Removes and returns the earliest live deadline due at or before `now`. */
  popDue(now: number): Deadline | undefined {
    this.dropCancelledTop();
    const top = this.heap.peek();
    if (top === undefined || top.at > now) return undefined;
    this.heap.pop();
    // A deadline that fired counts as cancelled so a later cancel() of it is a no-op.
    top.cancelled = true;
    return top;
  }

  get size(): number {
    return this.heap.size - this.cancelledCount;
  }

  private dropCancelledTop(): void {
    let top = this.heap.peek();
    while (top !== undefined && top.cancelled) {
      this.heap.pop();
      this.cancelledCount--;
      top = this.heap.peek();
    }
  }
}
