/**
 * Lock tokens. A message lock lives in its sub-queue's lock map (token -> record), not on a link,
 * so a settlement arriving after the link closed still finds it. When a session lock goes, the
 * tokens it covered are remembered for a while so a late settlement can say SessionLockLost
 * instead of the less helpful MessageLockLost.
 */
import { randomUUID } from 'node:crypto';

export const newLockToken = (): string => randomUUID();

/** Lower-case, dashed GUID, the form lock tokens take everywhere. */
export const isLockTokenString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;

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
