/**
 * Lock tokens and the lock table. A message lock lives in its sub-queue's table, not on a link,
 * so a settlement arriving after the link closed still finds it.
 *
 * Tokens are lowercase dashed GUIDs (version 4 layout) whose last group is the slot number of the
 * lock in the table and whose other 72 bits are random. Finding a lock is then an array index plus
 * a comparison with the token the message holds, instead of hashing a 36-character string into a
 * Map: on the send/receive/complete path that hashing was the largest single cost.
 */
import { randomFillSync } from 'node:crypto';

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const RANDOM_POOL = 9 * 512;
const random = Buffer.allocUnsafe(RANDOM_POOL);
let nextRandom = RANDOM_POOL;
/** One token is assembled here and decoded once, so it is a flat string (no rope to flatten later). */
const scratch = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
/** Where the 18 random hex digits go (the version digit '4' and the dashes stay fixed). */
const RANDOM_AT = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 15, 16, 17, 20, 21, 22];

function newToken(slot: number): string {
  if (nextRandom === RANDOM_POOL) {
    randomFillSync(random);
    nextRandom = 0;
  }
  for (let i = 0; i < 18; i += 2) {
    const b = random[nextRandom++]!;
    scratch[RANDOM_AT[i]!] = HEX[b >> 4]!;
    scratch[RANDOM_AT[i + 1]!] = HEX[b & 15]!;
  }
  scratch[19] = HEX[8 + (scratch[20]! & 3)]!; // RFC 4122 variant digit: 8, 9, a or b
  for (let i = 35, v = slot; i >= 24; i--, v = Math.floor(v / 16)) scratch[i] = HEX[v % 16]!;
  return scratch.toString('latin1');
}

/** Slot number encoded in a token's last group, or -1 when the string cannot be one of ours. */
function slotOf(token: string): number {
  if (token.length !== 36) return -1;
  let slot = 0;
  for (let i = 24; i < 36; i++) {
    const c = token.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    slot = slot * 16 + d;
  }
  return slot;
}

export const isLockTokenString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;

export interface Lockable {
  lockToken: string | undefined;
}

export class LockTable<T extends Lockable> {
  private readonly slots: (T | undefined)[] = [];
  /** Who took each lock (a receiver's owner), for inspection; by slot, beside the items. */
  private readonly holders: (string | undefined)[] = [];
  private readonly free: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Registers a lock for `item` and returns its new token (also stored on the item). */
  issue(item: T, holder?: string): string {
    const slot = this.free.length > 0 ? this.free.pop()! : this.slots.length;
    const token = newToken(slot);
    this.slots[slot] = item;
    this.holders[slot] = holder;
    item.lockToken = token;
    this.count++;
    return token;
  }

  get(token: string): T | undefined {
    const slot = slotOf(token);
    const item = slot >= 0 ? this.slots[slot] : undefined;
    return item !== undefined && item.lockToken === token ? item : undefined;
  }

  /** Who took the lock `item` holds, if it said. */
  holderOf(item: T): string | undefined {
    const slot = item.lockToken === undefined ? -1 : slotOf(item.lockToken);
    return slot >= 0 && this.slots[slot] === item ? this.holders[slot] : undefined;
  }

  /** Forgets the lock `item` holds (the caller clears item.lockToken). */
  delete(item: T): void {
    const slot = slotOf(item.lockToken!);
    if (slot < 0 || this.slots[slot] !== item) return;
    this.slots[slot] = undefined;
    this.free.push(slot);
    this.count--;
  }

  clear(): void {
    this.slots.length = 0;
    this.holders.length = 0;
    this.free.length = 0;
    this.count = 0;
  }
}

/** A bounded memory (oldest forgotten first) of tokens whose session lock was lost or released. */
export class LostSessionTokens {
  private readonly tokens = new Set<string>();
  constructor(private readonly capacity = 100_000) {}

  add(token: string): void {
    this.tokens.add(token);
    if (this.tokens.size > this.capacity) {
      const oldest = this.tokens.values().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
  }

  has(token: string): boolean {
    return this.tokens.has(token);
  }
}
