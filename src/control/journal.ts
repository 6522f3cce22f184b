/**
 * The journal: what happened to each message, in order, numbered, on the emulator's clock. A ring
 * keeps the newest `capacity` events so a long run cannot grow without bound; numbers keep rising
 * across the ring's wrap (and restart only with a reset), so `since` pages through it.
 */
import type { BrokerEvent } from '../broker/events.js';
import { ControlError } from './errors.js';

export const DEFAULT_JOURNAL_CAPACITY = 100_000;

export interface JournalEntry extends Omit<BrokerEvent, 'at'> {
  /** Monotonically increasing, from 1. */
  number: number;
  /** ISO 8601 instant on the emulator's clock. */
  time: string;
}

export interface JournalQuery {
  /** Only events on this entity or under it (its subscriptions, its dead-letter queue). */
  entity?: string;
  session?: string;
  /** Only events numbered above this. */
  since?: number;
}

export class Journal {
  private readonly ring: (BrokerEvent & { number: number })[] = [];
  private start = 0;
  private next = 1;

  constructor(readonly capacity: number = DEFAULT_JOURNAL_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new Error(`the journal size must be a whole number of 1 or more, not ${String(capacity)}`);
  }

  /** Pass as BrokerOptions.onEvent. */
  readonly record = (event: BrokerEvent): void => {
    // The core builds each event for the journal alone, so it is numbered in place: a copy per
    // event was most of the journal's cost (npm run bench:core -- --journal-only).
    const entry = event as BrokerEvent & { number: number };
    entry.number = this.next++;
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    }
  };

  clear(): void {
    this.ring.length = 0;
    this.start = 0;
    this.next = 1;
  }

  query(q: JournalQuery = {}): JournalEntry[] {
    const since = q.since ?? 0;
    if (!Number.isSafeInteger(since) || since < 0) throw new ControlError(400, `"since" must be a whole number, not ${String(q.since)}.`);
    const entity = q.entity?.toLowerCase().replace(/\/+$/, '');
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const e = this.ring[(this.start + i) % this.ring.length]!;
      if (e.number <= since) continue;
      if (entity !== undefined) {
        const p = e.entity.toLowerCase();
        if (p !== entity && !p.startsWith(`${entity}/`)) continue;
      }
      if (q.session !== undefined && e.sessionId !== q.session) continue;
      const { at, number, ...rest } = e;
      out.push({ number, time: new Date(at).toISOString(), ...rest });
    }
    return out;
  }
}
