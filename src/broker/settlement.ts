/**
 * What happens to a locked message when its lock ends without completion: abandon, release, lock
 * expiry, a session lock going away. The message goes back to its place by sequence number
 * (or stays deferred), counting the attempt unless it is a release, and is dead-lettered once the
 * count reaches MaxDeliveryCount. An expired message is never handed back out.
 */
import type { Core } from './core.js';
import { deadLetter, expire, maxDeliveryDescription, REASON_MAX_DELIVERY } from './deadLetter.js';
import { errors } from './errors.js';
import type { Msg, Session, SubQueue } from './records.js';
import { madeReady } from './placement.js';
import type { PropertiesToModify } from './types.js';

/** Returns a locked message; `announce` false lets a caller return many before waking anyone. */
export function giveBack(
  core: Core,
  sub: SubQueue,
  m: Msg,
  countAttempt: boolean,
  propertiesToModify?: PropertiesToModify,
  announce = true,
): void {
  m.modify(propertiesToModify);
  if (countAttempt) m.deliveryCount++;
  // Decide while still locked: a locked message is not counted as ready, so removing it from
  // here must not adjust the ready counts.
  if (!sub.deadLetter) {
    const max = sub.owner.properties.maxDeliveryCount;
    if (countAttempt && m.deliveryCount >= max) {
      deadLetter(core, sub, m, REASON_MAX_DELIVERY, maxDeliveryDescription(max));
      return;
    }
    if (m.expiresAt <= core.now) {
      expire(core, sub, m);
      return;
    }
  }
  sub.unlock(m);
  if (m.state !== 'active') return; // a deferred message stays deferred
  sub.markReady(m);
  if (announce) madeReady(core, sub, m);
}

/**
 * Ends a session lock (receiver closed, or lock expired): its messages come back in order with
 * the attempt counted, their tokens are remembered as session-lost, and the session is offered
 * to the next waiter.
 */
export function releaseSession(core: Core, session: Session, lost: boolean): void {
  const holder = session.holder;
  if (holder === undefined) return;
  const sub = session.home;
  session.holder = undefined;
  core.deadlines.cancel(session.lockDeadline);
  session.lockDeadline = undefined;
  holder.closed = true;
  const locked = [...session.lockedMessages].sort((a, b) => a.seq - b.seq);
  for (const m of locked) {
    core.lostTokens.add(m.lockToken!);
    giveBack(core, sub, m, true, undefined, false);
  }
  if (lost) {
    const error = errors.sessionLockLost(session.id);
    core.later(() => holder.lockLost(error));
  }
  sub.sessions!.refresh(session);
  sub.sessions!.serveWaiters();
  sub.sessions!.dropIfIdle(session);
}
