/**
 * The broker's only notion of "later": one min-heap of due instants for every kind of deadline
 * (message lock, session lock, TTL, scheduled enqueue, accept-next-session). The host arms a
 * single real timer for nextDueAt(); nothing here ever reads the wall clock.
 *
 * Cancelling is lazy (a flag) because removing from the middle of a heap is O(n); the heap is
 * rebuilt once cancelled entries outnumber live ones, which keeps memory bounded when, as in
 * steady peek-lock traffic, almost every lock timer is cancelled by a completion.
 */
import { MinHeap } from './heap.js';

export const TimerKind = {
  MessageLock: 1,
  SessionLock: 2,
  Expiry: 3,
  ScheduledEnqueue: 4,
  AcceptDeadline: 5,
} as const;
export type TimerKind = (typeof TimerKind)[keyof typeof TimerKind];

export class Timer<T = unknown> {
  cancelled = false;
  constructor(
    readonly at: number,
    readonly id: number,
    readonly kind: TimerKind,
    readonly target: T,
  ) {}
}

const earlier = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

export class Scheduler {
  private readonly heap = new MinHeap<Timer>(earlier);
  private nextId = 0;
  private cancelledCount = 0;

  add<T>(at: number, kind: TimerKind, target: T): Timer<T> {
    const timer = new Timer(at, this.nextId++, kind, target);
    this.heap.push(timer);
    return timer;
  }

  cancel(timer: Timer | undefined): void {
    if (timer === undefined || timer.cancelled) return;
    timer.cancelled = true;
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

  /** Removes and returns the earliest live timer due at or before `now`. */
  popDue(now: number): Timer | undefined {
    this.dropCancelledTop();
    const top = this.heap.peek();
    if (top === undefined || top.at > now) return undefined;
    this.heap.pop();
    // A fired timer counts as cancelled so a later cancel() of it is a no-op.
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
