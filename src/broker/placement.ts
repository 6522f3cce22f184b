/**
 * Putting a record into a sub-queue and announcing it: TTL from the entity, the expiry deadline,
 * notifications to receivers, and handing a newly available session to a waiting
 * accept-next-session call.
 */
import type { Core } from './core.js';
import { expire } from './deadLetter.js';
import type { Msg, SubQueue } from './records.js';
import { DeadlineKind } from './deadlines.js';
import { MAX_DURATION_MS } from './types.js';

/** Places a new record (state active or scheduled, not locked) into a main sub-queue. */
export function placeInMain(core: Core, sub: SubQueue, m: Msg): void {
  const props = sub.owner.properties;
  if (props.defaultMessageTimeToLiveMs < m.ttl) m.ttl = props.defaultMessageTimeToLiveMs;
  sub.insert(m);
  if (m.state === 'scheduled') {
    m.deadline = core.deadlines.add(m.scheduledAt!, DeadlineKind.ScheduledEnqueue, m);
    return;
  }
  if (m.expiresAt <= core.now) {
    expire(core, sub, m);
    return;
  }
  if (m.ttl < MAX_DURATION_MS) m.deadline = core.deadlines.add(m.expiresAt, DeadlineKind.Expiry, m);
  madeReady(core, sub, m);
}

/** Places a record into a dead-letter sub-queue, where nothing expires. */
export function placeInDeadLetter(core: Core, dlq: SubQueue, m: Msg): void {
  m.state = 'active';
  dlq.insert(m);
  madeReady(core, dlq, m);
}

/** After `m` became deliverable in `sub`: wake whoever can take it. */
export function madeReady(core: Core, sub: SubQueue, m: Msg): void {
  const s = m.session;
  if (s === undefined) core.notifyReceivers(sub);
  else if (s.holder !== undefined) core.notify(s.holder);
  else sub.sessions?.serveWaiters();
}
