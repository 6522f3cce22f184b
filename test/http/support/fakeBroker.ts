/**
 * A stand-in for the broker's entity part, used until src/broker's Broker lands: just enough of
 * BrokerApi for the admin routes (create/get/update/delete/list of queues, topics, subscriptions
 * and rules, with the contract's defaults and errors). Messaging methods throw.
 */
import type { BrokerApi, QueueView, SubscriptionView, TopicView } from '../../../src/broker/api.js';
import type { Clock } from '../../../src/broker/clock.js';
import { errors } from '../../../src/broker/errors.js';
import {
  MAX_DURATION_MS,
  type QueueProperties,
  type RuleAction,
  type RuleDescription,
  type RuleFilter,
  type RuntimeInfo,
  type SubscriptionProperties,
  type TopicProperties,
} from '../../../src/broker/types.js';

const runtime = (): RuntimeInfo => ({
  activeMessageCount: 0,
  deadLetterMessageCount: 0,
  scheduledMessageCount: 0,
  transferMessageCount: 0,
  transferDeadLetterMessageCount: 0,
  totalMessageCount: 0,
  sizeInBytes: 0,
});

const queueDefaults = (): QueueProperties => ({
  lockDurationMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
  status: 'Active',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
  enableBatchedOperations: true,
  enablePartitioning: false,
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 600_000,
  enableExpress: false,
});

const topicDefaults = (): TopicProperties => ({
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 600_000,
  enableBatchedOperations: true,
  enablePartitioning: false,
  supportOrdering: true,
  status: 'Active',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
  enableExpress: false,
});

const subscriptionDefaults = (): SubscriptionProperties => ({
  lockDurationMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
  status: 'Active',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
  enableBatchedOperations: true,
  deadLetteringOnFilterEvaluationExceptions: true,
});

interface Sub {
  view: SubscriptionView;
  rules: Map<string, RuleDescription>;
}
interface Topic {
  view: TopicView;
  subs: Map<string, Sub>;
}

function check(props: { maxDeliveryCount?: number; lockDurationMs?: number }): void {
  if (props.maxDeliveryCount !== undefined && props.maxDeliveryCount < 1) throw errors.argument('MaxDeliveryCount must be at least 1.');
  if (props.lockDurationMs !== undefined && props.lockDurationMs > 300_000) throw errors.argument('LockDuration must be at most 5 minutes.');
}

export function createFakeBroker(clock: Clock): BrokerApi {
  const queues = new Map<string, QueueView>();
  const topics = new Map<string, Topic>();
  const k = (s: string) => s.toLowerCase();
  const times = () => ({ createdAt: clock.now(), updatedAt: clock.now(), accessedAt: 0 });
  const getTopic = (name: string): Topic => {
    const t = topics.get(k(name));
    if (!t) throw errors.entityNotFound(name);
    return t;
  };
  const getSub = (topic: string, name: string): Sub => {
    const s = getTopic(topic).subs.get(k(name));
    if (!s) throw errors.entityNotFound(`${topic}/Subscriptions/${name}`);
    return s;
  };
  const notHere = (): never => {
    throw new Error('not implemented by the fake broker');
  };

  const api: Partial<BrokerApi> = {
    nextDueAt: () => undefined,
    tick: () => undefined,
    createQueue(name, properties = {}) {
      if (queues.has(k(name)) || topics.has(k(name))) throw errors.entityExists(name);
      check(properties);
      const view: QueueView = { name, properties: { ...queueDefaults(), ...properties }, times: times(), runtime: runtime() };
      queues.set(k(name), view);
      return view;
    },
    getQueue(name) {
      const q = queues.get(k(name));
      if (!q) throw errors.entityNotFound(name);
      return q;
    },
    updateQueue(name, properties) {
      const q = api.getQueue!(name);
      check(properties);
      if (properties.requiresSession !== undefined && properties.requiresSession !== q.properties.requiresSession) {
        throw errors.invalid('RequiresSession cannot be changed.');
      }
      q.properties = { ...q.properties, ...properties };
      q.times.updatedAt = clock.now();
      return q;
    },
    deleteQueue(name) {
      if (!queues.delete(k(name))) throw errors.entityNotFound(name);
    },
    listQueues: () => [...queues.values()],

    createTopic(name, properties = {}) {
      if (queues.has(k(name)) || topics.has(k(name))) throw errors.entityExists(name);
      const view: TopicView = {
        name,
        properties: { ...topicDefaults(), ...properties },
        times: times(),
        runtime: { sizeInBytes: 0, scheduledMessageCount: 0, subscriptionCount: 0 },
      };
      topics.set(k(name), { view, subs: new Map() });
      return view;
    },
    getTopic: (name) => getTopic(name).view,
    updateTopic(name, properties) {
      const t = getTopic(name);
      t.view.properties = { ...t.view.properties, ...properties };
      t.view.times.updatedAt = clock.now();
      return t.view;
    },
    deleteTopic(name) {
      if (!topics.delete(k(name))) throw errors.entityNotFound(name);
    },
    listTopics: () => [...topics.values()].map((t) => t.view),

    createSubscription(topic, name, properties = {}, defaultRule) {
      const t = getTopic(topic);
      if (t.subs.has(k(name))) throw errors.entityExists(`${topic}/Subscriptions/${name}`);
      check(properties);
      const view: SubscriptionView = {
        topicName: t.view.name,
        name,
        properties: { ...subscriptionDefaults(), ...properties },
        times: times(),
        runtime: runtime(),
      };
      const rule: RuleDescription = {
        name: defaultRule?.name ?? '$Default',
        filter: defaultRule?.filter ?? { type: 'true' },
        action: defaultRule?.action ?? { type: 'empty' },
        createdAt: clock.now(),
      };
      t.subs.set(k(name), { view, rules: new Map([[k(rule.name), rule]]) });
      t.view.runtime.subscriptionCount = t.subs.size;
      return view;
    },
    getSubscription: (topic, name) => getSub(topic, name).view,
    updateSubscription(topic, name, properties) {
      const s = getSub(topic, name);
      check(properties);
      s.view.properties = { ...s.view.properties, ...properties };
      s.view.times.updatedAt = clock.now();
      return s.view;
    },
    deleteSubscription(topic, name) {
      const t = getTopic(topic);
      if (!t.subs.delete(k(name))) throw errors.entityNotFound(`${topic}/Subscriptions/${name}`);
      t.view.runtime.subscriptionCount = t.subs.size;
    },
    listSubscriptions: (topic) => [...getTopic(topic).subs.values()].map((s) => s.view),

    createRule(topic, subscription, name, filter: RuleFilter, action: RuleAction = { type: 'empty' }) {
      const s = getSub(topic, subscription);
      if (s.rules.has(k(name))) throw errors.entityExists(`${topic}/Subscriptions/${subscription}/Rules/${name}`);
      const rule: RuleDescription = { name, filter, action, createdAt: clock.now() };
      s.rules.set(k(name), rule);
      return rule;
    },
    getRule(topic, subscription, name) {
      const r = getSub(topic, subscription).rules.get(k(name));
      if (!r) throw errors.entityNotFound(`${topic}/Subscriptions/${subscription}/Rules/${name}`);
      return r;
    },
    updateRule(topic, subscription, name, filter, action = { type: 'empty' }) {
      const r = api.getRule!(topic, subscription, name);
      r.filter = filter;
      r.action = action;
      return r;
    },
    deleteRule(topic, subscription, name) {
      if (!getSub(topic, subscription).rules.delete(k(name))) {
        throw errors.entityNotFound(`${topic}/Subscriptions/${subscription}/Rules/${name}`);
      }
    },
    listRules: (topic, subscription) => [...getSub(topic, subscription).rules.values()],
    entityKind(path) {
      if (queues.has(k(path))) return 'queue';
      if (topics.has(k(path))) return 'topic';
      return undefined;
    },
    runtime: (path) => api.getQueue!(path).runtime,
  };
  return new Proxy(api as BrokerApi, {
    get: (target, prop) => (prop in target ? target[prop as keyof BrokerApi] : notHere),
  });
}
