/**
 * AutoDeleteOnIdle: an entity nobody has used for that long (no send, receive, browse, or
 * management read or update of it) is deleted. Use is recorded as `times.accessedAt`; one deadline
 * per entity is armed for accessedAt + AutoDeleteOnIdle and, when it fires, either deletes the
 * entity or, if it was used meanwhile, re-arms for the new instant (so use itself arms nothing).
 * An open receiver counts as use: SDK receivers wait on their link without calling again.
 * The deleting itself is entityAdmin's (its onAutoDeleteDue asks idleExpired() what to delete).
 */
import type { Deadline } from './deadlines.js';
import { DeadlineKind } from './deadlines.js';
import type { QueueEntity, SubscriptionEntity, TopicEntity } from './entities.js';
import type { Namespace } from './namespace.js';
import { MAX_DURATION_MS } from './types.js';

type IdleEntity = QueueEntity | TopicEntity | SubscriptionEntity;

const armed = new WeakMap<IdleEntity, Deadline<IdleEntity>>();

/** Cancels the entity's deadline (it is being deleted). */
export function disarmAutoDelete(ns: Namespace, entity: IdleEntity): void {
  ns.deadlines.cancel(armed.get(entity));
  armed.delete(entity);
}

/** (Re-)arms the entity's deadline after a create or a property update. */
export function armAutoDelete(ns: Namespace, entity: IdleEntity): void {
  disarmAutoDelete(ns, entity);
  const idle = entity.properties.autoDeleteOnIdleMs;
  if (idle >= MAX_DURATION_MS) return;
  armed.set(entity, ns.deadlines.add(entity.times.accessedAt + idle, DeadlineKind.AutoDelete, entity));
}

/** Records a use of the entity (the deadline catches up when it fires). */
export function touch(ns: Namespace, entity: IdleEntity): void {
  entity.times.accessedAt = ns.now;
}

const hasReceivers = (e: IdleEntity): boolean => e.kind !== 'topic' && (e.main.receivers.size > 0 || e.dlq.receivers.size > 0);

/** When the deadline fires: the entity to delete, or undefined (it was used; re-armed). */
export function idleExpired(ns: Namespace, deadline: Deadline): IdleEntity | undefined {
  const entity = deadline.target as IdleEntity;
  armed.delete(entity);
  if (entity.deleted) return undefined;
  if (hasReceivers(entity)) entity.times.accessedAt = ns.now;
  if (ns.now >= entity.times.accessedAt + entity.properties.autoDeleteOnIdleMs) return entity;
  armAutoDelete(ns, entity);
  return undefined;
}
