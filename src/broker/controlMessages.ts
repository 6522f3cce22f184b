/**
 * One message moved by hand, for the test control plane (the dashboard's actions): deleting one
 * message by sequence number, and putting a dead-lettered message back into its entity. Neither
 * exists on the wire; Azure's portal does the same with a receive and a send.
 */
import { errors } from './errors.js';
import { note } from './journal.js';
import type { Namespace } from './namespace.js';
import { enqueue } from './routing.js';

const STAMPS = ['DeadLetterReason', 'DeadLetterErrorDescription'];

function sequenceNumber(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw errors.argument('sequenceNumber must be a whole number.');
  return v;
}

/**
 * Removes one message of a queue or subscription (or of its dead-letter queue, when the path ends
 * in /$DeadLetterQueue), whatever its state; a lock on it is gone with it, so its holder's
 * settlement fails with MessageLockLost as after a purge.
 */
export function removeMessage(ns: Namespace, path: string, seq: number): void {
  const { sub } = ns.registry.receivable(path);
  const m = sub.index.get(sequenceNumber(seq));
  if (m === undefined) throw errors.messageNotFound(`No message with sequence number ${seq} in '${path}'.`);
  note(ns, 'deleted', m, 'control');
  sub.remove(m);
}

/**
 * Moves a dead-lettered message back into its queue or subscription as if newly sent: its
 * dead-letter reason and description go, its delivery count restarts at 0 and its time to live
 * runs from now. A queue gives it a new sequence number; a subscription has no numbering of its
 * own (its messages carry the topic's), so the message keeps its number there. Returns it.
 */
export function resubmitDeadLettered(ns: Namespace, path: string, seq: number): number {
  const { entity, sub } = ns.registry.receivable(path);
  if (sub === entity.dlq) throw errors.argument(`Name the queue or subscription, not its dead-letter queue ('${path}').`);
  const m = entity.dlq.index.get(sequenceNumber(seq));
  if (m === undefined) throw errors.messageNotFound(`No dead-lettered message with sequence number ${seq} in '${path}'.`);
  if (entity.properties.requiresSession && m.sessionId === undefined) {
    throw errors.invalid(`'${path}' requires sessions and the message has no session id.`);
  }
  entity.dlq.remove(m);
  const copy = m.copy();
  copy.deadLetter = undefined;
  if (copy.changes !== undefined) {
    const changes = new Map(copy.changes);
    for (const k of STAMPS) changes.delete(k);
    copy.changes = changes.size === 0 ? undefined : changes;
  }
  copy.deliveryCount = 0;
  copy.hops = 0;
  copy.state = 'active';
  copy.scheduledAt = undefined;
  copy.fromSchedule = false;
  copy.enqueuedAt = ns.now;
  if (entity.kind === 'queue') copy.seq = entity.nextSeq++;
  entity.times.accessedAt = ns.now;
  enqueue(ns, entity, copy);
  return copy.seq;
}
