/**
 * Where a message goes next, and who hears of it: into a queue or subscription (honouring
 * ForwardTo), to each subscription of a topic whose rules match, to a dead-letter destination
 * (honouring ForwardDeadLetteredMessagesTo), or nowhere because its time to live ran out.
 *
 * These steps call one another: a forwarded message can arrive expired and be dead-lettered, and
 * dead-lettering can forward, which places the message again. The recursion lives in this one
 * module so that no two concept modules import each other.
 *
 * Forwarding gives the message a new sequence number in the target and keeps its first one as
 * enqueuedSequenceNumber; a chain (a loop, an entity forwarding to itself) stops after MAX_HOPS,
 * dead-lettered with Azure's reason and description. A dead-lettered message keeps
 * its sequence number and session id, and gets DeadLetterReason / DeadLetterErrorDescription as
 * string application properties.
 */
import { DeadlineKind } from './deadlines.js';
import { type SendableEntity, sendBlocked, type SubscriptionEntity, type TopicEntity } from './entities.js';
import type { Namespace } from './namespace.js';
import type { Msg, Receivable, SubQueue } from './records.js';
import { actionCopy, type Rule } from './rules.js';
import { MAX_DURATION_MS } from './types.js';
import { note } from './journal.js';

export const MAX_HOPS = 4;
export const REASON_MAX_DELIVERY = 'MaxDeliveryCountExceeded';
export const maxDeliveryDescription = (n: number): string => `Message could not be consumed after ${n} delivery attempts.`;
const REASON_TTL = 'TTLExpiredException';
const REASON_HOPS = 'MaxTransferHopCountExceeded';
const DESCRIPTION_HOPS = `The maximum number of allowed hops when forwarding between queues. Value is set to ${MAX_HOPS}.`;
const DESCRIPTION_TTL = 'The message expired and was dead lettered.';

/** The queue or topic a ForwardTo-style setting names, if it exists and may take this message now. */
function forwardTarget(ns: Namespace, name: string | undefined, m: Msg): SendableEntity | undefined {
  if (name === undefined) return undefined;
  const target = ns.registry.sendTarget(name);
  if (target === undefined || target.deleted) return undefined;
  if (sendBlocked(target.properties.status)) return undefined;
  if (target.kind === 'queue' && target.properties.requiresSession && m.sessionId === undefined) return undefined;
  return target;
}

/** A new record for a queue or subscription's main sub-queue, honouring its ForwardTo. */
export function enqueue(ns: Namespace, entity: Receivable, m: Msg): void {
  const target = m.state === 'active' ? forwardTarget(ns, entity.properties.forwardTo, m) : undefined;
  if (target !== undefined) {
    if (m.hops >= MAX_HOPS) {
      routeToDeadLetter(ns, entity, m, REASON_HOPS, DESCRIPTION_HOPS);
    } else {
      forward(ns, target, m);
    }
    return;
  }
  placeInMain(ns, entity.main, m);
}

/** Moves a record into another queue or topic as a newly enqueued message there. */
function forward(ns: Namespace, target: SendableEntity, m: Msg): void {
  const copy = m.copy();
  copy.hops = m.hops + 1;
  copy.seq = target.nextSeq++;
  copy.enqueuedAt = ns.now;
  copy.state = 'active';
  target.times.accessedAt = ns.now;
  if (target.kind === 'topic') {
    if (target.properties.defaultMessageTimeToLiveMs < copy.ttl) copy.ttl = target.properties.defaultMessageTimeToLiveMs;
    fanOut(ns, target, copy);
  } else {
    enqueue(ns, target, copy);
  }
}

/**
 * Copies of a topic message for every subscription with a matching rule: one for the matching
 * rules without an action, and one per matching rule with an action (in rule name order).
 * The first copy in a subscription carries the topic's sequence number; each further one takes
 * the topic's next number, so that every message in a subscription has a number of its own
 * (receiving deferred messages, peeking and settling by number rely on it) and numbers only grow.
 */
export function fanOut(ns: Namespace, topic: TopicEntity, m: Msg): void {
  for (const sub of topic.subscriptions.values()) {
    let plain = false;
    let withActions: Rule[] | undefined;
    for (const rule of sub.rules.values()) {
      if (!rule.matches(m)) continue;
      if (rule.action === undefined) plain = true;
      else (withActions ??= []).push(rule);
    }
    if (plain) place(ns, sub, m.copy());
    if (withActions === undefined) continue;
    if (withActions.length > 1) withActions.sort((a, b) => (a.description.name.toLowerCase() < b.description.name.toLowerCase() ? -1 : 1));
    let numbered = plain;
    for (const rule of withActions) {
      const copy = actionCopy(m, rule);
      if (numbered) copy.seq = topic.nextSeq++;
      numbered = true;
      place(ns, sub, copy);
    }
  }
}

function place(ns: Namespace, sub: SubscriptionEntity, copy: Msg): void {
  if (sub.properties.requiresSession && copy.sessionId === undefined) {
    routeToDeadLetter(ns, sub, copy, 'SessionIdIsMissing', 'A session-enabled subscription cannot hold a message without a session id.');
    return;
  }
  sub.times.accessedAt = ns.now;
  enqueue(ns, sub, copy);
}

/**
 * Places a new active record (not locked) into a main sub-queue and arms its time to live; the
 * expiry itself is expiry.ts's. One that arrives already expired (a scheduled message activated
 * late) goes at once.
 */
function placeInMain(ns: Namespace, sub: SubQueue, m: Msg): void {
  const props = sub.owner.properties;
  if (props.defaultMessageTimeToLiveMs < m.ttl) m.ttl = props.defaultMessageTimeToLiveMs;
  sub.insert(m);
  note(ns, 'enqueued', m, m.hops > 0 ? 'forward' : m.scheduledAt !== undefined ? 'schedule' : 'send');
  if (m.expiresAt <= ns.now) {
    expire(ns, sub, m);
    return;
  }
  if (m.ttl < MAX_DURATION_MS) m.deadline = ns.deadlines.add(m.expiresAt, DeadlineKind.Expiry, m);
  madeReady(ns, sub, m);
}

/** After `m` became deliverable in `sub`: wake whoever can take it. */
export function madeReady(ns: Namespace, sub: SubQueue, m: Msg): void {
  const s = m.session;
  if (s === undefined) ns.effects.notifyReceivers(sub);
  else if (s.holder !== undefined) ns.effects.notify(s.holder);
  else sub.sessions?.serveWaiters();
}

/** Moves a message held (and unlocked or locked) in a main sub-queue to the dead-letter side. */
export function moveToDeadLetter(ns: Namespace, sub: SubQueue, m: Msg, reason?: string, description?: string): void {
  sub.remove(m);
  routeToDeadLetter(ns, sub.owner, m.copy(), reason, description);
}

/** Delivers a record not held anywhere to `entity`'s dead-letter destination. */
function routeToDeadLetter(ns: Namespace, entity: Receivable, m: Msg, reason?: string, description?: string): void {
  const stamp: Record<string, unknown> = {};
  if (reason !== undefined) stamp.DeadLetterReason = reason;
  if (description !== undefined) stamp.DeadLetterErrorDescription = description;
  m.modify(stamp);
  m.deadLetter = { reason, description };
  m.lockToken = undefined;
  m.session = undefined;
  const target = forwardTarget(ns, entity.properties.forwardDeadLetteredMessagesTo, m);
  if (target !== undefined && m.hops < MAX_HOPS) {
    m.deadLetter = { reason, description, source: entity.path };
    forward(ns, target, m);
    return;
  }
  // A dead-letter queue is where nothing expires: no time-to-live deadline here.
  m.state = 'active';
  entity.dlq.insert(m);
  note(ns, 'deadlettered', m, reason);
  madeReady(ns, entity.dlq, m);
}

/** Time to live ran out: dead-letter when the entity asks for it, else drop. */
export function expire(ns: Namespace, sub: SubQueue, m: Msg): void {
  note(ns, 'expired', m);
  if (sub.owner.properties.deadLetteringOnMessageExpiration) moveToDeadLetter(ns, sub, m, REASON_TTL, DESCRIPTION_TTL);
  else sub.remove(m);
}
