/**
 * Duplicate detection history of one queue or topic: message ids seen within the window.
 * A Map keeps insertion order, which is arrival order, so expiring old ids is popping from the
 * front; no timer is needed because the history is only consulted on send.
 */
interface Seen {
  at: number;
  seq: number;
}

export class DuplicateDetector {
  private readonly seen = new Map<string, Seen>();

  /** The original's sequence number when `messageId` was seen within the window, else undefined. */
  check(messageId: string, now: number, windowMs: number): number | undefined {
    this.evict(now, windowMs);
    return this.seen.get(messageId)?.seq;
  }

  record(messageId: string, now: number, seq: number): void {
    // Re-inserting moves it to the back, keeping the map in arrival order.
    this.seen.delete(messageId);
    this.seen.set(messageId, { at: now, seq });
  }

  clear(): void {
    this.seen.clear();
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(now: number, windowMs: number): void {
    for (const [id, entry] of this.seen) {
      if (entry.at + windowMs > now) break;
      this.seen.delete(id);
    }
  }
}
