/**
 * Managing entities: creating, reading, updating, deleting and listing queues, topics,
 * subscriptions and rules, and the views (copies) handed out. Deleting an entity drops its
 * messages, closes its receivers and fails whoever waits on it.
 */
import type { QueueView, SubscriptionView, TopicView } from './api.js';
import { armAutoDelete, disarmAutoDelete, idleExpired, touch } from './autoDelete.js';
import type { Deadline } from './deadlines.js';
import {
  mergeFor,
  QUEUE_KEYS,
  queueDefaults,
  SUBSCRIPTION_KEYS,
  subscriptionDefaults,
  TOPIC_KEYS,
  topicDefaults,
} from './defaults.js';
import { type AnyReceivable, QueueEntity, receiveBlocked, SubscriptionEntity, TopicEntity } from './entities.js';
import { errors } from './errors.js';
import type { Namespace } from './namespace.js';
import { checkEntityName, checkShortName, keyOf } from './paths.js';
import { byField } from './propertyCatalogue.js';
import { cloneRule, makeRule } from './rules.js';
import { dropTopicSchedule } from './schedule.js';
import { endSessions } from './sessionLock.js';
import { checkMessageSize, defaultMessageSizeKb, PARTITION_COUNT } from './sku.js';
import {
  DEFAULT_RULE_NAME,
  type EntityTimes,
  type QueueProperties,
  type RuleAction,
  type RuleDescription,
  type RuleFilter,
  type RuntimeInfo,
  type SubscriptionProperties,
  type TopicProperties,
} from './types.js';

type Entity = QueueEntity | TopicEntity | SubscriptionEntity;

const times = (ns: Namespace): EntityTimes => ({ createdAt: ns.now, updatedAt: ns.now, accessedAt: ns.now });

/**
 * A forward target must be a queue or topic that exists, as on Azure; forwarding to itself is
 * allowed (the hop limit ends the loop).
 */
function checkForwarding(ns: Namespace, selfPath: string, p: { forwardTo?: string; forwardDeadLetteredMessagesTo?: string }): void {
  for (const target of [p.forwardTo, p.forwardDeadLetteredMessagesTo]) {
    if (target === undefined || keyOf(target) === keyOf(selfPath)) continue;
    if (ns.registry.sendTarget(target) === undefined) throw errors.forwardTargetMissing(target);
  }
}

const queueView = (q: QueueEntity): QueueView => ({ name: q.name, properties: { ...q.properties }, times: { ...q.times }, runtime: q.runtime() });

const topicView = (t: TopicEntity): TopicView => ({
  name: t.name,
  properties: { ...t.properties },
  times: { ...t.times },
  runtime: { sizeInBytes: t.sizeInBytes(), scheduledMessageCount: t.scheduled.size, subscriptionCount: t.subscriptions.size },
});

const subscriptionView = (s: SubscriptionEntity): SubscriptionView => ({
  topicName: s.topic.name,
  name: s.name,
  properties: { ...s.properties },
  times: { ...s.times },
  runtime: s.runtime(),
});

/** A status change (re-enabling receive) may let receivers and waiters proceed. */
function afterPropertyChange(ns: Namespace, entity: AnyReceivable): void {
  if (receiveBlocked(entity.properties.status)) return;
  ns.effects.notifyReceivers(entity.main);
  ns.effects.notifyReceivers(entity.dlq);
}

/** A queue's or topic's properties merged over `base`: both kinds follow the SKU's message-size rule. */
function topLevelProps<P extends QueueProperties | TopicProperties>(ns: Namespace, kind: 'queue' | 'topic', base: P, properties: Partial<P> | undefined): P {
  const props = mergeFor(kind === 'queue' ? QUEUE_KEYS : TOPIC_KEYS, base, properties, kind);
  checkMessageSize(ns.sku, properties?.maxMessageSizeInKilobytes, base.maxMessageSizeInKilobytes);
  return props;
}

/** Queues and topics share one namespace of names: the key a new one is stored under. */
function freeTopLevelKey(ns: Namespace, name: string): string {
  checkEntityName(name);
  const key = keyOf(name);
  if (ns.registry.queues.has(key) || ns.registry.topics.has(key)) throw errors.entityExists(name);
  return key;
}

/** A new queue's or topic's properties: Azure's defaults with the SKU's message size; partitions add up. */
function newTopLevelProps<P extends QueueProperties | TopicProperties>(ns: Namespace, kind: 'queue' | 'topic', defaults: P, properties: Partial<P> | undefined): P {
  const props = topLevelProps(ns, kind, { ...defaults, maxMessageSizeInKilobytes: defaultMessageSizeKb(ns.sku) }, properties);
  if (props.enablePartitioning) props.maxSizeInMegabytes *= PARTITION_COUNT;
  return props;
}

/** Properties Azure fixes at creation: an update may repeat them but not change them. */
function keepFixed<P extends object>(kind: string, before: P, after: P, fields: readonly (keyof P & string)[]): void {
  for (const f of fields) {
    if (after[f] !== before[f]) throw errors.invalid(`${byField.get(f)!.azure} cannot be changed on an existing ${kind}.`);
  }
}

/** Stores checked properties: an update is a use of the entity and re-arms AutoDeleteOnIdle. */
function applyUpdate<E extends Entity>(ns: Namespace, entity: E, props: E['properties']): void {
  entity.properties = props;
  entity.times.updatedAt = ns.now;
  touch(ns, entity);
  armAutoDelete(ns, entity);
}

/** Stores a new entity: its AutoDeleteOnIdle is armed and path lookups see it. */
function register<E extends Entity>(ns: Namespace, map: Map<string, E>, key: string, entity: E): E {
  map.set(key, entity);
  armAutoDelete(ns, entity);
  ns.registry.pathsChanged();
  return entity;
}

/** A management read is a use of the entity (AutoDeleteOnIdle). */
function read<E extends Entity, V>(ns: Namespace, entity: E, view: (e: E) => V): V {
  touch(ns, entity);
  return view(entity);
}

/** Deleting an entity: every message goes, receivers close, waiters are told. */
function teardown(ns: Namespace, entity: AnyReceivable): void {
  entity.deleted = true;
  disarmAutoDelete(ns, entity);
  const gone = errors.entityNotFound(entity.path);
  if (entity.main.sessions !== undefined) endSessions(ns, entity.main.sessions, gone);
  for (const sub of [entity.main, entity.dlq]) {
    for (const r of sub.receivers) r.closed = true;
    sub.clear();
  }
  ns.registry.pathsChanged();
}

// ---- queues -------------------------------------------------------------------------------

export function createQueue(ns: Namespace, name: string, properties?: Partial<QueueProperties>): QueueView {
  const key = freeTopLevelKey(ns, name);
  const props = newTopLevelProps(ns, 'queue', queueDefaults(), properties);
  checkForwarding(ns, name, props);
  return queueView(register(ns, ns.registry.queues, key, new QueueEntity(name, props, times(ns), ns.deadlines)));
}

export const getQueue = (ns: Namespace, name: string): QueueView => read(ns, ns.registry.queue(name), queueView);

export function updateQueue(ns: Namespace, name: string, properties: Partial<QueueProperties>): QueueView {
  const q = ns.registry.queue(name);
  const props = topLevelProps(ns, 'queue', q.properties, properties);
  keepFixed('queue', q.properties, props, ['requiresSession', 'enablePartitioning']);
  checkForwarding(ns, q.name, props);
  applyUpdate(ns, q, props);
  afterPropertyChange(ns, q);
  return queueView(q);
}

export function deleteQueue(ns: Namespace, name: string): void {
  const q = ns.registry.queue(name);
  ns.registry.queues.delete(keyOf(q.name));
  teardown(ns, q);
}

export const listQueues = (ns: Namespace): QueueView[] => [...ns.registry.queues.values()].map(queueView);

// ---- topics -------------------------------------------------------------------------------

export function createTopic(ns: Namespace, name: string, properties?: Partial<TopicProperties>): TopicView {
  const key = freeTopLevelKey(ns, name);
  const props = newTopLevelProps(ns, 'topic', topicDefaults(), properties);
  return topicView(register(ns, ns.registry.topics, key, new TopicEntity(name, props, times(ns))));
}

export const getTopic = (ns: Namespace, name: string): TopicView => read(ns, ns.registry.topic(name), topicView);

export function updateTopic(ns: Namespace, name: string, properties: Partial<TopicProperties>): TopicView {
  const t = ns.registry.topic(name);
  const props = topLevelProps(ns, 'topic', t.properties, properties);
  keepFixed('topic', t.properties, props, ['enablePartitioning']);
  applyUpdate(ns, t, props);
  return topicView(t);
}

export function deleteTopic(ns: Namespace, name: string): void {
  const t = ns.registry.topic(name);
  ns.registry.topics.delete(keyOf(t.name));
  t.deleted = true;
  disarmAutoDelete(ns, t);
  for (const s of t.subscriptions.values()) teardown(ns, s);
  t.subscriptions.clear();
  dropTopicSchedule(ns, t);
  ns.registry.pathsChanged();
}

export const listTopics = (ns: Namespace): TopicView[] => [...ns.registry.topics.values()].map(topicView);

// ---- subscriptions --------------------------------------------------------------------------

/** Creates the subscription with rule `$Default` (TrueFilter unless `defaultRule` says otherwise). */
export function createSubscription(
  ns: Namespace,
  topic: string,
  name: string,
  properties?: Partial<SubscriptionProperties>,
  defaultRule?: { name?: string; filter: RuleFilter; action?: RuleAction },
): SubscriptionView {
  const t = ns.registry.topic(topic);
  checkShortName(name, 'subscription');
  const key = keyOf(name);
  if (t.subscriptions.has(key)) throw errors.entityExists(`${t.name}/Subscriptions/${name}`);
  const props = mergeFor(SUBSCRIPTION_KEYS, subscriptionDefaults(), properties, 'subscription');
  checkForwarding(ns, `${t.name}/Subscriptions/${name}`, props);
  if (defaultRule !== undefined && (defaultRule === null || typeof defaultRule !== 'object')) throw errors.argument('defaultRule must be an object.');
  const ruleName = checkShortName(defaultRule?.name ?? DEFAULT_RULE_NAME, 'rule');
  const rule = makeRule(ruleName, defaultRule?.filter ?? { type: 'true' }, defaultRule?.action, ns.now);
  const s = new SubscriptionEntity(t, name, props, times(ns), ns.deadlines);
  s.rules.set(keyOf(ruleName), rule);
  return subscriptionView(register(ns, t.subscriptions, key, s));
}

export const getSubscription = (ns: Namespace, topic: string, name: string): SubscriptionView =>
  read(ns, ns.registry.subscription(topic, name), subscriptionView);

export function updateSubscription(ns: Namespace, topic: string, name: string, properties: Partial<SubscriptionProperties>): SubscriptionView {
  const s = ns.registry.subscription(topic, name);
  const props = mergeFor(SUBSCRIPTION_KEYS, s.properties, properties, 'subscription');
  keepFixed('subscription', s.properties, props, ['requiresSession']);
  checkForwarding(ns, s.path, props);
  applyUpdate(ns, s, props);
  afterPropertyChange(ns, s);
  return subscriptionView(s);
}

export function deleteSubscription(ns: Namespace, topic: string, name: string): void {
  const s = ns.registry.subscription(topic, name);
  s.topic.subscriptions.delete(keyOf(s.name));
  teardown(ns, s);
}

export const listSubscriptions = (ns: Namespace, topic: string): SubscriptionView[] =>
  [...ns.registry.topic(topic).subscriptions.values()].map(subscriptionView);

// ---- rules --------------------------------------------------------------------------------

export function createRule(ns: Namespace, topic: string, subscription: string, name: string, filter: RuleFilter, action?: RuleAction): RuleDescription {
  const s = ns.registry.subscription(topic, subscription);
  checkShortName(name, 'rule');
  if (s.rules.has(keyOf(name))) throw errors.entityExists(`${s.path}/Rules/${name}`);
  const rule = makeRule(name, filter, action, ns.now);
  s.rules.set(keyOf(name), rule);
  return cloneRule(rule.description);
}

export const getRule = (ns: Namespace, topic: string, subscription: string, name: string): RuleDescription =>
  cloneRule(ns.registry.rule(topic, subscription, name).description);

export function updateRule(ns: Namespace, topic: string, subscription: string, name: string, filter: RuleFilter, action?: RuleAction): RuleDescription {
  const s = ns.registry.subscription(topic, subscription);
  const old = ns.registry.rule(topic, subscription, name);
  const rule = makeRule(old.description.name, filter, action, old.description.createdAt);
  s.rules.set(keyOf(name), rule);
  return cloneRule(rule.description);
}

export function deleteRule(ns: Namespace, topic: string, subscription: string, name: string): void {
  ns.registry.rule(topic, subscription, name);
  ns.registry.subscription(topic, subscription).rules.delete(keyOf(name));
}

/** In name order (names compare case-insensitively, as they are keyed), as Azure lists them. */
export const listRules = (ns: Namespace, topic: string, subscription: string): RuleDescription[] =>
  [...ns.registry.subscription(topic, subscription).rules.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => cloneRule(r.description));

/** Runtime counts of a queue or subscription (or its DLQ path: counts of the parent). */
export const runtime = (ns: Namespace, path: string): RuntimeInfo => ns.registry.receivable(path).entity.runtime();

/** AutoDeleteOnIdle's deadline: deletes the entity if it stayed idle (see autoDelete.ts). */
export function onAutoDeleteDue(ns: Namespace, deadline: Deadline): void {
  const entity = idleExpired(ns, deadline);
  if (entity === undefined) return;
  if (entity.kind === 'queue') deleteQueue(ns, entity.name);
  else if (entity.kind === 'topic') deleteTopic(ns, entity.name);
  else deleteSubscription(ns, entity.topic.name, entity.name);
}
