/**
 * Messages ready for delivery, handed out in sequence-number order. New sends arrive in ascending
 * order and go to a deque (O(1)); a message coming back (abandon, release, lock expiry, a late
 * scheduled activation, an out-of-order dead-letter) goes to a small heap. Taking the smaller head
 * of the two puts a returned message back in its place, so a session's order survives an abandon.
 *
 * Entries whose message has gone (deleted, expired) are skipped when reached, not searched for.
 */
import { Deque } from './deque.js';
import { MinHeap } from './heap.js';
import type { Sequenced } from './sequenceIndex.js';

const bySeq = (a: Sequenced, b: Sequenced): boolean => a.seq < b.seq;

export class ReadyQueue<T extends Sequenced> {
  private readonly fifo = new Deque<T>();
  private returned: MinHeap<T> | undefined;

  add(item: T): void {
    const tail = this.fifo.last();
    if (tail === undefined || item.seq > tail.seq) {
      this.fifo.push(item);
    } else {
      (this.returned ??= new MinHeap<T>(bySeq)).push(item);
    }
  }

  /** The next live entry in sequence order, removed. */
  take(): T | undefined {
    for (;;) {
      const a = this.fifo.peek();
      const b = this.returned?.peek();
      let item: T | undefined;
      if (b !== undefined && (a === undefined || b.seq < a.seq)) item = this.returned!.pop();
      else if (a !== undefined) item = this.fifo.shift();
      else return undefined;
      if (!item!.gone) return item;
    }
  }

  clear(): void {
    this.fifo.clear();
    this.returned = undefined;
  }
}
