/**
 * Message time to live. The deadline is armed when a message is placed (routing.ts, which also
 * decides what expiring means: dead-letter or drop). A locked message is left to its holder when
 * its deadline comes: it expires when its lock ends instead, and the checks here make sure that
 * nothing past its time to live is handed out, given back or kept alive by deferral.
 * Dead-letter queues hold no deadline: nothing expires there.
 */
import type { Deadline } from './deadlines.js';
import type { Namespace } from './namespace.js';
import type { Msg, SubQueue } from './records.js';
import { expire } from './routing.js';

export function onExpiryDue(ns: Namespace, t: Deadline): void {
  const m = t.target as Msg;
  if (m.gone || m.deadline !== t) return;
  m.deadline = undefined;
  // A locked message is its holder's until the lock ends; giving it back then expires it.
  if (m.lockToken === undefined) expire(ns, m.home!, m);
}

/** Expires `m` if its time to live has run out (say, while it was locked); true if it did. */
export function expireIfDue(ns: Namespace, sub: SubQueue, m: Msg): boolean {
  if (sub.deadLetter || m.expiresAt > ns.now) return false;
  expire(ns, sub, m);
  return true;
}
