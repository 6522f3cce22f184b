/**
 * Where an accepted message goes: a queue (or, through ForwardTo, another queue or topic), a
 * topic's subscriptions (a copy to each subscription with a matching rule), and auto-forwarding
 * of dead-lettered messages. Forwarding gives the message a new sequence number in the target and
 * keeps its first one as enqueuedSequenceNumber; a chain stops after MAX_HOPS, as on Azure.
 */
import type { Core } from './core.js';
import { sendToDeadLetter } from './deadLetter.js';
import type { SendableEntity, SubscriptionEntity, TopicEntity } from './entities.js';
import type { Msg, Receivable } from './records.js';
import { keyOf } from './paths.js';
import { placeInMain } from './placement.js';

export const MAX_HOPS = 4;

/** The queue or topic a ForwardTo-style setting names, if it exists and may receive sends now. */
export function forwardTarget(core: Core, name: string | undefined, m: Msg): SendableEntity | undefined {
  if (name === undefined) return undefined;
  const key = keyOf(name);
  const target = core.queues.get(key) ?? core.topics.get(key);
  if (target === undefined || target.deleted) return undefined;
  const status = target.properties.status;
  if (status === 'Disabled' || status === 'SendDisabled') return undefined;
  if (target.kind === 'queue' && target.properties.requiresSession && m.sessionId === undefined) return undefined;
  return target;
}

/** A new record for a queue or subscription's main sub-queue, honouring its ForwardTo. */
export function enqueue(core: Core, entity: Receivable, m: Msg): void {
  const target = m.state === 'active' ? forwardTarget(core, entity.properties.forwardTo, m) : undefined;
  if (target !== undefined && target !== entity) {
    if (m.hops >= MAX_HOPS) {
      sendToDeadLetter(core, entity, m, 'MaxTransferHopCountExceeded', `The message exceeded the maximum of ${MAX_HOPS} transfer hops.`);
    } else {
      forward(core, target, m);
    }
    return;
  }
  placeInMain(core, entity.main, m);
}

/** Moves a record into another queue or topic as a newly enqueued message there. */
export function forward(core: Core, target: SendableEntity, m: Msg): void {
  const copy = m.copy();
  copy.hops = m.hops + 1;
  copy.seq = target.nextSeq++;
  copy.enqueuedAt = core.now;
  copy.state = 'active';
  target.times.accessedAt = core.now;
  if (target.kind === 'topic') {
    if (target.properties.defaultMessageTimeToLiveMs < copy.ttl) copy.ttl = target.properties.defaultMessageTimeToLiveMs;
    fanOut(core, target, copy);
  } else {
    enqueue(core, target, copy);
  }
}

/** A copy of a topic message to every subscription with a matching rule. */
export function fanOut(core: Core, topic: TopicEntity, m: Msg): void {
  for (const sub of topic.subscriptions.values()) {
    if (!matches(sub, m)) continue;
    const copy = m.copy();
    if (sub.properties.requiresSession && copy.sessionId === undefined) {
      sendToDeadLetter(core, sub, copy, 'SessionIdIsMissing', 'A session-enabled subscription cannot hold a message without a session id.');
      continue;
    }
    sub.times.accessedAt = core.now;
    enqueue(core, sub, copy);
  }
}

function matches(sub: SubscriptionEntity, m: Msg): boolean {
  for (const rule of sub.rules.values()) if (rule.matches(m)) return true;
  return false;
}
