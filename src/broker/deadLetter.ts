/**
 * Dead-lettering and expiry. A dead-lettered message keeps its sequence number and session id,
 * gets DeadLetterReason / DeadLetterErrorDescription as string application properties, and lands
 * in the entity's `$DeadLetterQueue`, or in the ForwardDeadLetteredMessagesTo target.
 */
import type { Core } from './core.js';
import { forward, forwardTarget, MAX_HOPS } from './forwarding.js';
import type { Msg, Receivable, SubQueue } from './records.js';
import { placeInDeadLetter } from './placement.js';

export const REASON_MAX_DELIVERY = 'MaxDeliveryCountExceeded';
export const REASON_TTL = 'TTLExpiredException';
export const DESCRIPTION_TTL = 'The message expired and was dead lettered.';
export const maxDeliveryDescription = (n: number): string => `Message could not be consumed after ${n} delivery attempts.`;

/** Moves a message held (and unlocked or locked) in a main sub-queue to the dead-letter side. */
export function deadLetter(core: Core, sub: SubQueue, m: Msg, reason?: string, description?: string): void {
  sub.remove(m);
  sendToDeadLetter(core, sub.owner, m.copy(), reason, description);
}

/** Delivers a record not held anywhere to `entity`'s dead-letter destination. */
export function sendToDeadLetter(core: Core, entity: Receivable, m: Msg, reason?: string, description?: string): void {
  const stamp: Record<string, unknown> = {};
  if (reason !== undefined) stamp.DeadLetterReason = reason;
  if (description !== undefined) stamp.DeadLetterErrorDescription = description;
  m.modify(stamp);
  m.deadLetter = { reason, description };
  m.lockToken = undefined;
  m.session = undefined;
  const target = forwardTarget(core, entity.properties.forwardDeadLetteredMessagesTo, m);
  if (target !== undefined && target !== entity && m.hops < MAX_HOPS) {
    m.deadLetter = { reason, description, source: entity.path };
    forward(core, target, m);
    return;
  }
  placeInDeadLetter(core, entity.dlq, m);
}

/** TTL ran out: dead-letter when the entity asks for it, else drop. */
export function expire(core: Core, sub: SubQueue, m: Msg): void {
  if (sub.owner.properties.deadLetteringOnMessageExpiration) deadLetter(core, sub, m, REASON_TTL, DESCRIPTION_TTL);
  else sub.remove(m);
}
