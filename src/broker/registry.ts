/**
 * The entities of a namespace by name, and resolving what a path names. Queues and topics share
 * one namespace of case-insensitive names; subscriptions and rules are found through their topic.
 * Every lookup that fails throws the error a client should see (EntityNotFound, or
 * InvalidOperation for the wrong kind of entity).
 */
import type { AnyReceivable, QueueEntity, SendableEntity, SubscriptionEntity, TopicEntity } from './entities.js';
import { errors } from './errors.js';
import { keyOf, parsePath } from './paths.js';
import type { SubQueue } from './records.js';
import type { Rule } from './rules.js';

interface Resolved {
  entity: QueueEntity | TopicEntity | SubscriptionEntity;
  deadLetter: boolean;
}

export class Registry {
  /** By lower-case name. */
  readonly queues = new Map<string, QueueEntity>();
  readonly topics = new Map<string, TopicEntity>();
  /** Adapters resolve the same few paths on every call; this saves parsing them each time. */
  private readonly pathCache = new Map<string, Resolved>();

  /** To be called whenever an entity is created or deleted. */
  pathsChanged(): void {
    this.pathCache.clear();
  }

  lookup(path: string): Resolved | undefined {
    const cached = this.pathCache.get(path);
    if (cached !== undefined && !cached.entity.deleted) return cached;
    const p = parsePath(path);
    let entity: Resolved['entity'] | undefined;
    if (p.subscriptionKey !== undefined) {
      // Entity names cannot contain a "/Subscriptions/" segment, so such a path names a subscription.
      entity = this.topics.get(p.entityKey)?.subscriptions.get(p.subscriptionKey);
    } else {
      entity = this.queues.get(p.entityKey) ?? this.topics.get(p.entityKey);
    }
    if (entity === undefined || (p.deadLetter && entity.kind === 'topic')) return undefined;
    const resolved = { entity, deadLetter: p.deadLetter };
    if (this.pathCache.size > 10_000) this.pathCache.clear();
    this.pathCache.set(path, resolved);
    return resolved;
  }

  /** The queue or topic a ForwardTo-style setting names, if it exists. */
  sendTarget(name: string): SendableEntity | undefined {
    const key = keyOf(name);
    return this.queues.get(key) ?? this.topics.get(key);
  }

  receivable(path: string): { entity: AnyReceivable; sub: SubQueue } {
    const r = this.lookup(path);
    if (r === undefined) throw errors.entityNotFound(String(path));
    if (r.entity.kind === 'topic') throw errors.invalid(`'${path}' is a topic; receive from one of its subscriptions.`);
    return { entity: r.entity, sub: r.deadLetter ? r.entity.dlq : r.entity.main };
  }

  /** A receivable path whose sub-queue holds sessions (a session entity's main queue). */
  sessionSubQueue(path: string): { entity: AnyReceivable; sub: SubQueue } {
    const r = this.receivable(path);
    if (r.sub.sessions === undefined) throw errors.invalid(`'${path}' is not session-enabled.`);
    return r;
  }

  sendable(path: string): SendableEntity {
    const r = this.lookup(path);
    if (r === undefined) throw errors.entityNotFound(String(path));
    if (r.deadLetter || r.entity.kind === 'subscription') {
      throw errors.invalid(`Cannot send to '${path}': only queues and topics accept messages.`);
    }
    return r.entity;
  }

  queue(name: string): QueueEntity {
    const q = typeof name === 'string' ? this.queues.get(keyOf(name)) : undefined;
    if (q === undefined) throw errors.entityNotFound(String(name));
    return q;
  }

  topic(name: string): TopicEntity {
    const t = typeof name === 'string' ? this.topics.get(keyOf(name)) : undefined;
    if (t === undefined) throw errors.entityNotFound(String(name));
    return t;
  }

  subscription(topic: string, name: string): SubscriptionEntity {
    const t = this.topic(topic);
    const s = typeof name === 'string' ? t.subscriptions.get(keyOf(name)) : undefined;
    if (s === undefined) throw errors.entityNotFound(`${topic}/Subscriptions/${String(name)}`);
    return s;
  }

  rule(topic: string, subscription: string, name: string): Rule {
    const s = this.subscription(topic, subscription);
    const r = typeof name === 'string' ? s.rules.get(keyOf(name)) : undefined;
    if (r === undefined) throw errors.entityNotFound(`${s.path}/Rules/${String(name)}`);
    return r;
  }
}
