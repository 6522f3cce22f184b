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
  checkEntityName(name);
  const { queues, topics } = ns.registry;
  const key = keyOf(name);
  if (queues.has(key) || topics.has(key)) throw errors.entityExists(name);
  const props = mergeFor(QUEUE_KEYS, { ...queueDefaults(), maxMessageSizeInKilobytes: defaultMessageSizeKb(ns.sku) }, properties, 'queue');
  checkMessageSize(ns.sku, properties?.maxMessageSizeInKilobytes, defaultMessageSizeKb(ns.sku));
  if (props.enablePartitioning) props.maxSizeInMegabytes *= PARTITION_COUNT;
  checkForwarding(ns, name, props);
  const q = new QueueEntity(name, props, times(ns), ns.deadlines);
  queues.set(key, q);
  armAutoDelete(ns, q);
  ns.registry.pathsChanged();
  return queueView(q);
}

export function getQueue(ns: Namespace, name: string): QueueView {
  const q = ns.registry.queue(name);
  touch(ns, q);
  return queueView(q);
}

export function updateQueue(ns: Namespace, name: string, properties: Partial<QueueProperties>): QueueView {
  const q = ns.registry.queue(name);
  const props = mergeFor(QUEUE_KEYS, q.properties, properties, 'queue');
  checkMessageSize(ns.sku, properties?.maxMessageSizeInKilobytes, q.properties.maxMessageSizeInKilobytes);
  if (props.requiresSession !== q.properties.requiresSession) throw errors.invalid('RequiresSession cannot be changed on an existing queue.');
  if (props.enablePartitioning !== q.properties.enablePartitioning) throw errors.invalid('EnablePartitioning cannot be changed on an existing queue.');
  checkForwarding(ns, q.name, props);
  q.properties = props;
  q.times.updatedAt = ns.now;
  touch(ns, q);
  armAutoDelete(ns, q);
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
  checkEntityName(name);
  const { queues, topics } = ns.registry;
  const key = keyOf(name);
  if (queues.has(key) || topics.has(key)) throw errors.entityExists(name);
  const props = mergeFor(TOPIC_KEYS, { ...topicDefaults(), maxMessageSizeInKilobytes: defaultMessageSizeKb(ns.sku) }, properties, 'topic');
  checkMessageSize(ns.sku, properties?.maxMessageSizeInKilobytes, defaultMessageSizeKb(ns.sku));
  if (props.enablePartitioning) props.maxSizeInMegabytes *= PARTITION_COUNT;
  const t = new TopicEntity(name, props, times(ns));
  topics.set(key, t);
  armAutoDelete(ns, t);
  ns.registry.pathsChanged();
  return topicView(t);
}

export function getTopic(ns: Namespace, name: string): TopicView {
  const t = ns.registry.topic(name);
  touch(ns, t);
  return topicView(t);
}

export function updateTopic(ns: Namespace, name: string, properties: Partial<TopicProperties>): TopicView {
  const t = ns.registry.topic(name);
  const props = mergeFor(TOPIC_KEYS, t.properties, properties, 'topic');
  checkMessageSize(ns.sku, properties?.maxMessageSizeInKilobytes, t.properties.maxMessageSizeInKilobytes);
  if (props.enablePartitioning !== t.properties.enablePartitioning) throw errors.invalid('EnablePartitioning cannot be changed on an existing topic.');
  t.properties = props;
  t.times.updatedAt = ns.now;
  touch(ns, t);
  armAutoDelete(ns, t);
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
  t.subscriptions.set(key, s);
  ns.registry.pathsChanged();
  armAutoDelete(ns, s);
  return subscriptionView(s);
}

export function getSubscription(ns: Namespace, topic: string, name: string): SubscriptionView {
  const s = ns.registry.subscription(topic, name);
  touch(ns, s);
  return subscriptionView(s);
}

export function updateSubscription(ns: Namespace, topic: string, name: string, properties: Partial<SubscriptionProperties>): SubscriptionView {
  const s = ns.registry.subscription(topic, name);
  const props = mergeFor(SUBSCRIPTION_KEYS, s.properties, properties, 'subscription');
  if (props.requiresSession !== s.properties.requiresSession) throw errors.invalid('RequiresSession cannot be changed on an existing subscription.');
  checkForwarding(ns, s.path, props);
  s.properties = props;
  s.times.updatedAt = ns.now;
  touch(ns, s);
  armAutoDelete(ns, s);
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
