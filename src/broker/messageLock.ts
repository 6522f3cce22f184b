/**
 * Message locks (peek-lock): taking one, finding the locked message a token names, renewing, and
 * the lock ending without a completion (abandon, release, lock expiry, a session lock going away).
 *
 * A lock lives in its sub-queue's lock table, not on a link, so a settlement arriving after the
 * link closed still finds it. Messages of a session are locked by the session lock and have no
 * deadline of their own.
 */
import type { SettleOptions } from './api.js';
import { checkOptionalString } from './argumentChecks.js';
import { type Deadline, DeadlineKind } from './deadlines.js';
import { errors } from './errors.js';
import { expireIfDue } from './expiry.js';
import { isLockTokenString } from './lockTokens.js';
import type { Namespace } from './namespace.js';
import type { Msg, Session, SubQueue } from './records.js';
import { madeReady, maxDeliveryDescription, moveToDeadLetter, REASON_MAX_DELIVERY } from './routing.js';
import type { PropertiesToModify } from './types.js';
import { note } from './journal.js';

/** Locks a message just taken from `sub` (ready or deferred) for `lockMs`, or under `session`'s lock. */
export function lockMessage(ns: Namespace, sub: SubQueue, m: Msg, session: Session | undefined, lockMs: number, holder?: string): void {
  sub.lock(m, holder);
  if (session === undefined) m.lockDeadline = ns.deadlines.add(ns.now + lockMs, DeadlineKind.MessageLock, m);
}

/** The locked message a token names, or the error a client should see. */
export function resolveLock(ns: Namespace, path: string, lockToken: string, options: SettleOptions | undefined): { sub: SubQueue; m: Msg } {
  if (!isLockTokenString(lockToken)) throw errors.argument('A lock token must be a non-empty string.');
  if (options !== undefined && (options === null || typeof options !== 'object')) throw errors.argument('Settle options must be an object.');
  const sessionId = checkOptionalString(options?.sessionId, 'sessionId');
  const { sub } = ns.registry.receivable(path);
  if (sessionId !== undefined && sub.sessions !== undefined && sub.sessions.get(sessionId)?.holder === undefined) {
    throw errors.sessionLockLost(sessionId);
  }
  const m = sub.locks.get(lockToken) ?? sub.locks.get(lockToken.toLowerCase());
  if (m === undefined) {
    throw ns.lostTokens.has(lockToken.toLowerCase()) ? errors.sessionLockLost(sessionId) : errors.lockLost();
  }
  if (sessionId !== undefined && sub.sessions !== undefined && m.sessionId !== sessionId) throw errors.lockLost();
  return { sub, m };
}

/** Returns the new locked-until of each token, in order; all tokens are checked before any renews. */
export function renewLock(ns: Namespace, path: string, lockTokens: string[], options?: SettleOptions): number[] {
  if (!Array.isArray(lockTokens)) throw errors.argument('lockTokens must be an array.');
  const found = lockTokens.map((t) => resolveLock(ns, path, t, options));
  for (const { m } of found) {
    if (m.session !== undefined) throw errors.invalid('Renewing a message lock is not supported for session messages; renew the session lock.');
  }
  return found.map(({ m }) => {
    const until = ns.now + m.home!.owner.properties.lockDurationMs;
    ns.deadlines.cancel(m.lockDeadline);
    m.lockDeadline = ns.deadlines.add(until, DeadlineKind.MessageLock, m);
    return until;
  });
}

/**
 * Returns a locked message: back to its place by sequence number (a deferred one stays deferred),
 * counting the attempt unless it is a release or the message is in a dead-letter queue (Azure
 * counts no attempts there), dead-lettered once the count reaches MaxDeliveryCount, and never
 * handed back out once expired. `announce` false lets a caller return
 * many before waking anyone.
 */
export function giveBack(
  ns: Namespace,
  sub: SubQueue,
  m: Msg,
  countAttempt: boolean,
  propertiesToModify?: PropertiesToModify,
  announce = true,
): void {
  m.modify(propertiesToModify);
  // Decide while still locked: a locked message is not counted as ready, so removing it from
  // here must not adjust the ready counts.
  if (!sub.deadLetter && countAttempt) {
    m.deliveryCount++;
    const max = sub.owner.properties.maxDeliveryCount;
    if (m.deliveryCount >= max) {
      moveToDeadLetter(ns, sub, m, REASON_MAX_DELIVERY, maxDeliveryDescription(max));
      return;
    }
  }
  if (expireIfDue(ns, sub, m)) return;
  sub.unlock(m);
  if (m.state !== 'active') return;
  sub.markReady(m);
  if (announce) madeReady(ns, sub, m);
}

export function onMessageLockDue(ns: Namespace, t: Deadline): void {
  const m = t.target as Msg;
  if (m.gone || m.lockDeadline !== t) return;
  m.lockDeadline = undefined;
  note(ns, 'lockLost', m);
  giveBack(ns, m.home!, m, true);
}
