/**
 * The broker facade: the entity registry, path resolution, and every BrokerApi verb as one
 * operation. An operation reads the clock once, first does whatever deadlines are due
 * (so a host that ticks late still never sees an expired lock or message), then applies the verb,
 * then runs queued callbacks and announces a new earliest wake-up to the host.
 */
import type {
  BrokerApi,
  BrokerOptions,
  DeleteMessagesOptions,
  QueueView,
  Receiver,
  ReceiverOptions,
  SessionReceiver,
  SessionReceiverOptions,
  SettleOptions,
  SubscriptionView,
  TopicView,
} from './api.js';
import { Core } from './core.js';
import { deadLetter, expire } from './deadLetter.js';
import {
  mergeFor,
  QUEUE_KEYS,
  queueDefaults,
  SUBSCRIPTION_KEYS,
  subscriptionDefaults,
  TOPIC_KEYS,
  topicDefaults,
} from './defaults.js';
import {
  type AnyReceivable,
  QueueEntity,
  type SendableEntity,
  SubscriptionEntity,
  TopicEntity,
} from './entities.js';
import { type BrokerError, errors } from './errors.js';
import { enqueue, fanOut } from './forwarding.js';
import { toRecord } from './intake.js';
import { isLockTokenString } from './locks.js';
import { Msg, type Receivable, type Session, type SubQueue } from './records.js';
import { snapshot } from './snapshot.js';
import { checkEntityName, checkShortName, keyOf, parsePath } from './paths.js';
import { placeInMain } from './placement.js';
import { cloneRule, makeRule } from './rules.js';
import { type Deadline, DeadlineKind } from './deadlines.js';
import type { AcceptWaiter } from './sessionTable.js';
import { giveBack, releaseSession } from './settlement.js';
import { ReceiverImpl, type ReceiverHost, SessionReceiverImpl } from './receivers.js';
import {
  DEFAULT_RULE_NAME,
  type DeadLetterOptions,
  type EntityStatus,
  type MessageInput,
  type PropertiesToModify,
  type QueueProperties,
  type ReceiveMode,
  type RuleAction,
  type RuleDescription,
  type RuleFilter,
  type RuntimeInfo,
  type StoredMessage,
  type SubscriptionProperties,
  type TopicProperties,
} from './types.js';

interface Resolved {
  entity: QueueEntity | TopicEntity | SubscriptionEntity;
  deadLetter: boolean;
}

interface Waiter extends AcceptWaiter<Session> {
  deadline: Deadline | undefined;
  cancelled: boolean;
}

interface TopicSchedule {
  topic: TopicEntity;
  m: Msg;
}

const sendBlocked = (s: EntityStatus): boolean => s === 'Disabled' || s === 'SendDisabled';
const receiveBlocked = (s: EntityStatus): boolean => s === 'Disabled' || s === 'ReceiveDisabled';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkCount(v: unknown, what: string): number {
  if (!isCount(v)) throw errors.argument(`${what} must be a non-negative integer.`);
  return v;
}

function checkOptionalString(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw errors.argument(`${what} must be a string.`);
  return v;
}

function checkProperties(v: unknown): PropertiesToModify {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw errors.argument('propertiesToModify must be an object.');
  return v as Record<string, unknown>;
}

function checkMode(v: unknown): ReceiveMode {
  if (v !== 'peekLock' && v !== 'receiveAndDelete') throw errors.argument(`Unknown receive mode '${String(v)}'.`);
  return v;
}

function checkSequenceNumbers(v: unknown): number[] {
  if (!Array.isArray(v)) throw errors.argument('Sequence numbers must be an array.');
  for (const n of v) if (!isCount(n)) throw errors.argument(`Invalid sequence number '${String(n)}'.`);
  return v as number[];
}

function checkFunction(v: unknown, what: string): void {
  if (v !== undefined && typeof v !== 'function') throw errors.argument(`${what} must be a function.`);
}

const defaultReporter = (error: unknown): void => {
  console.error('servicebus-emulator: an adapter callback threw; the broker carried on.', error);
};

/** A reporter that throws would bring back the very failure it exists to contain. */
function guardReporter(report: (error: unknown) => void): (error: unknown) => void {
  return (error) => {
    try {
      report(error);
    } catch (reportFailure) {
      defaultReporter(reportFailure);
    }
  };
}

export class Broker implements BrokerApi, ReceiverHost {
  private readonly core: Core;
  private readonly onWakeup: ((dueAt: number) => void) | undefined;
  private depth = 0;
  private lastNow = -Infinity;
  /** The earliest instant announced to the host and not yet reached. */
  private announced = Infinity;
  private readonly pathCache = new Map<string, Resolved>();

  constructor(options: BrokerOptions) {
    if (options === null || typeof options !== 'object' || typeof options.clock?.now !== 'function') {
      throw errors.argument('Broker needs options.clock.');
    }
    checkFunction(options.onWakeup, 'onWakeup');
    checkFunction(options.onError, 'onError');
    this.core = new Core(options.clock, guardReporter(options.onError ?? defaultReporter));
    this.onWakeup = options.onWakeup;
  }

  // ---- operation framing ------------------------------------------------------------------

  private begin(): void {
    if (this.depth++ > 0) return;
    try {
      const now = this.core.clock.now();
      if (typeof now !== 'number' || Number.isNaN(now)) throw errors.argument('The clock returned a non-number.');
      // Time never goes backwards inside the broker, even if a test clock does.
      this.lastNow = Math.max(this.lastNow, now);
      this.core.now = this.lastNow;
      this.runDue();
    } catch (err) {
      this.depth--;
      throw err;
    }
  }

  private end(): void {
    if (--this.depth > 0) return;
    this.core.flush();
    this.announce();
  }

  private runDue(): void {
    const { deadlines, now } = this.core;
    for (let t = deadlines.popDue(now); t !== undefined; t = deadlines.popDue(now)) this.fire(t);
    if (this.announced <= now) this.announced = Infinity;
  }

  private fire(t: Deadline): void {
    const core = this.core;
    switch (t.kind) {
      case DeadlineKind.MessageLock: {
        const m = t.target as Msg;
        if (m.gone || m.lockDeadline !== t) return;
        m.lockDeadline = undefined;
        giveBack(core, m.home!, m, true);
        return;
      }
      case DeadlineKind.Expiry: {
        const m = t.target as Msg;
        if (m.gone || m.deadline !== t) return;
        m.deadline = undefined;
        // A locked message is left to its holder; it expires when the lock ends (giveBack).
        if (m.lockToken === undefined) expire(core, m.home!, m);
        return;
      }
      case DeadlineKind.ScheduledEnqueue: {
        if (!(t.target instanceof Msg)) {
          const { topic, m } = t.target as TopicSchedule;
          if (m.gone || topic.deleted || topic.scheduled.get(m.seq) !== m) return;
          topic.scheduled.delete(m.seq);
          topic.scheduledBytes -= m.size;
          m.state = 'active';
          m.deadline = undefined;
          fanOut(core, topic, m);
          return;
        }
        const m = t.target as Msg;
        if (m.gone || m.deadline !== t) return;
        m.deadline = undefined;
        const sub = m.home!;
        sub.remove(m);
        const active = m.copy();
        active.state = 'active';
        enqueue(core, sub.owner, active);
        return;
      }
      case DeadlineKind.SessionLock: {
        const s = t.target as Session;
        if (s.lockDeadline !== t) return;
        releaseSession(core, s, true);
        return;
      }
      case DeadlineKind.AcceptDeadline: {
        const w = t.target as Waiter;
        if (w.active) w.fail(errors.timeout('object session'));
        return;
      }
    }
  }

  private announce(): void {
    if (this.onWakeup === undefined) return;
    const due = this.core.deadlines.nextDueAt();
    if (due === undefined || due >= this.announced) return;
    this.announced = due;
    try {
      this.onWakeup(due);
    } catch (err) {
      this.core.reportError(err);
    }
  }

  // ---- time -------------------------------------------------------------------------------

  nextDueAt(): number | undefined {
    return this.core.deadlines.nextDueAt();
  }

  tick(): void {
    this.begin();
    this.end();
  }

  // ---- paths ------------------------------------------------------------------------------

  private lookup(path: string): Resolved | undefined {
    const cached = this.pathCache.get(path);
    if (cached !== undefined && !cached.entity.deleted) return cached;
    const p = parsePath(path);
    let entity: Resolved['entity'] | undefined;
    if (p.subscriptionKey !== undefined) {
      // Entity names cannot contain a "/Subscriptions/" segment, so such a path names a subscription.
      entity = this.core.topics.get(p.entityKey)?.subscriptions.get(p.subscriptionKey);
    } else {
      entity = this.core.queues.get(p.entityKey) ?? this.core.topics.get(p.entityKey);
    }
    if (entity === undefined || (p.deadLetter && entity.kind === 'topic')) return undefined;
    const resolved = { entity, deadLetter: p.deadLetter };
    if (this.pathCache.size > 10_000) this.pathCache.clear();
    this.pathCache.set(path, resolved);
    return resolved;
  }

  private receivable(path: string): { entity: AnyReceivable; sub: SubQueue } {
    const r = this.lookup(path);
    if (r === undefined) throw errors.entityNotFound(String(path));
    if (r.entity.kind === 'topic') throw errors.invalid(`'${path}' is a topic; receive from one of its subscriptions.`);
    return { entity: r.entity, sub: r.deadLetter ? r.entity.dlq : r.entity.main };
  }

  private sendable(path: string): SendableEntity {
    const r = this.lookup(path);
    if (r === undefined) throw errors.entityNotFound(String(path));
    if (r.deadLetter || r.entity.kind === 'subscription') {
      throw errors.invalid(`Cannot send to '${path}': only queues and topics accept messages.`);
    }
    return r.entity;
  }

  private queue(name: string): QueueEntity {
    const q = typeof name === 'string' ? this.core.queues.get(keyOf(name)) : undefined;
    if (q === undefined) throw errors.entityNotFound(String(name));
    return q;
  }

  private topic(name: string): TopicEntity {
    const t = typeof name === 'string' ? this.core.topics.get(keyOf(name)) : undefined;
    if (t === undefined) throw errors.entityNotFound(String(name));
    return t;
  }

  private subscription(topic: string, name: string): SubscriptionEntity {
    const t = this.topic(topic);
    const s = typeof name === 'string' ? t.subscriptions.get(keyOf(name)) : undefined;
    if (s === undefined) throw errors.entityNotFound(`${topic}/Subscriptions/${String(name)}`);
    return s;
  }

  private checkReceivable(entity: Receivable): void {
    if (receiveBlocked(entity.properties.status)) throw errors.disabled(entity.path, entity.properties.status === 'Disabled' ? 'disabled' : 'receive disabled');
  }

  // ---- entities ---------------------------------------------------------------------------

  private times() {
    const now = this.core.now;
    return { createdAt: now, updatedAt: now, accessedAt: now };
  }

  private checkForwarding(selfPath: string, p: { forwardTo?: string; forwardDeadLetteredMessagesTo?: string }): void {
    for (const target of [p.forwardTo, p.forwardDeadLetteredMessagesTo]) {
      if (target !== undefined && keyOf(target) === keyOf(selfPath)) throw errors.argument(`'${selfPath}' cannot forward to itself.`);
    }
  }

  private queueView(q: QueueEntity): QueueView {
    return { name: q.name, properties: { ...q.properties }, times: { ...q.times }, runtime: q.runtime() };
  }

  private topicView(t: TopicEntity): TopicView {
    return {
      name: t.name,
      properties: { ...t.properties },
      times: { ...t.times },
      runtime: { sizeInBytes: t.sizeInBytes(), scheduledMessageCount: t.scheduled.size, subscriptionCount: t.subscriptions.size },
    };
  }

  private subscriptionView(s: SubscriptionEntity): SubscriptionView {
    return { topicName: s.topic.name, name: s.name, properties: { ...s.properties }, times: { ...s.times }, runtime: s.runtime() };
  }

  createQueue(name: string, properties?: Partial<QueueProperties>): QueueView {
    this.begin();
    try {
      checkEntityName(name);
      const key = keyOf(name);
      if (this.core.queues.has(key) || this.core.topics.has(key)) throw errors.entityExists(name);
      const props = mergeFor(QUEUE_KEYS, queueDefaults(), properties, 'queue');
      this.checkForwarding(name, props);
      const q = new QueueEntity(name, props, this.times(), this.core.deadlines);
      this.core.queues.set(key, q);
      this.pathCache.clear();
      return this.queueView(q);
    } finally {
      this.end();
    }
  }

  getQueue(name: string): QueueView {
    this.begin();
    try {
      return this.queueView(this.queue(name));
    } finally {
      this.end();
    }
  }

  updateQueue(name: string, properties: Partial<QueueProperties>): QueueView {
    this.begin();
    try {
      const q = this.queue(name);
      const props = mergeFor(QUEUE_KEYS, q.properties, properties, 'queue');
      if (props.requiresSession !== q.properties.requiresSession) throw errors.invalid('RequiresSession cannot be changed on an existing queue.');
      if (props.enablePartitioning !== q.properties.enablePartitioning) throw errors.invalid('EnablePartitioning cannot be changed on an existing queue.');
      this.checkForwarding(q.name, props);
      q.properties = props;
      q.times.updatedAt = this.core.now;
      this.afterPropertyChange(q);
      return this.queueView(q);
    } finally {
      this.end();
    }
  }

  deleteQueue(name: string): void {
    this.begin();
    try {
      const q = this.queue(name);
      this.core.queues.delete(keyOf(q.name));
      this.teardown(q);
    } finally {
      this.end();
    }
  }

  listQueues(): QueueView[] {
    this.begin();
    try {
      return [...this.core.queues.values()].map((q) => this.queueView(q));
    } finally {
      this.end();
    }
  }

  createTopic(name: string, properties?: Partial<TopicProperties>): TopicView {
    this.begin();
    try {
      checkEntityName(name);
      const key = keyOf(name);
      if (this.core.queues.has(key) || this.core.topics.has(key)) throw errors.entityExists(name);
      const t = new TopicEntity(name, mergeFor(TOPIC_KEYS, topicDefaults(), properties, 'topic'), this.times());
      this.core.topics.set(key, t);
      this.pathCache.clear();
      return this.topicView(t);
    } finally {
      this.end();
    }
  }

  getTopic(name: string): TopicView {
    this.begin();
    try {
      return this.topicView(this.topic(name));
    } finally {
      this.end();
    }
  }

  updateTopic(name: string, properties: Partial<TopicProperties>): TopicView {
    this.begin();
    try {
      const t = this.topic(name);
      const props = mergeFor(TOPIC_KEYS, t.properties, properties, 'topic');
      if (props.enablePartitioning !== t.properties.enablePartitioning) throw errors.invalid('EnablePartitioning cannot be changed on an existing topic.');
      t.properties = props;
      t.times.updatedAt = this.core.now;
      return this.topicView(t);
    } finally {
      this.end();
    }
  }

  deleteTopic(name: string): void {
    this.begin();
    try {
      const t = this.topic(name);
      this.core.topics.delete(keyOf(t.name));
      t.deleted = true;
      for (const s of t.subscriptions.values()) this.teardown(s);
      t.subscriptions.clear();
      for (const m of t.scheduled.values()) {
        this.core.deadlines.cancel(m.deadline);
        m.gone = true;
      }
      t.scheduled.clear();
      t.scheduledBytes = 0;
      this.pathCache.clear();
    } finally {
      this.end();
    }
  }

  listTopics(): TopicView[] {
    this.begin();
    try {
      return [...this.core.topics.values()].map((t) => this.topicView(t));
    } finally {
      this.end();
    }
  }

  createSubscription(
    topic: string,
    name: string,
    properties?: Partial<SubscriptionProperties>,
    defaultRule?: { name?: string; filter: RuleFilter; action?: RuleAction },
  ): SubscriptionView {
    this.begin();
    try {
      const t = this.topic(topic);
      checkShortName(name, 'subscription');
      const key = keyOf(name);
      if (t.subscriptions.has(key)) throw errors.entityExists(`${t.name}/Subscriptions/${name}`);
      const props = mergeFor(SUBSCRIPTION_KEYS, subscriptionDefaults(), properties, 'subscription');
      this.checkForwarding(`${t.name}/Subscriptions/${name}`, props);
      if (defaultRule !== undefined && (defaultRule === null || typeof defaultRule !== 'object')) throw errors.argument('defaultRule must be an object.');
      const ruleName = checkShortName(defaultRule?.name ?? DEFAULT_RULE_NAME, 'rule');
      const rule = makeRule(ruleName, defaultRule?.filter ?? { type: 'true' }, defaultRule?.action, this.core.now);
      const s = new SubscriptionEntity(t, name, props, this.times(), this.core.deadlines);
      s.rules.set(keyOf(ruleName), rule);
      t.subscriptions.set(key, s);
      this.pathCache.clear();
      return this.subscriptionView(s);
    } finally {
      this.end();
    }
  }

  getSubscription(topic: string, name: string): SubscriptionView {
    this.begin();
    try {
      return this.subscriptionView(this.subscription(topic, name));
    } finally {
      this.end();
    }
  }

  updateSubscription(topic: string, name: string, properties: Partial<SubscriptionProperties>): SubscriptionView {
    this.begin();
    try {
      const s = this.subscription(topic, name);
      const props = mergeFor(SUBSCRIPTION_KEYS, s.properties, properties, 'subscription');
      if (props.requiresSession !== s.properties.requiresSession) throw errors.invalid('RequiresSession cannot be changed on an existing subscription.');
      this.checkForwarding(s.path, props);
      s.properties = props;
      s.times.updatedAt = this.core.now;
      this.afterPropertyChange(s);
      return this.subscriptionView(s);
    } finally {
      this.end();
    }
  }

  deleteSubscription(topic: string, name: string): void {
    this.begin();
    try {
      const s = this.subscription(topic, name);
      s.topic.subscriptions.delete(keyOf(s.name));
      this.teardown(s);
    } finally {
      this.end();
    }
  }

  listSubscriptions(topic: string): SubscriptionView[] {
    this.begin();
    try {
      return [...this.topic(topic).subscriptions.values()].map((s) => this.subscriptionView(s));
    } finally {
      this.end();
    }
  }

  createRule(topic: string, subscription: string, name: string, filter: RuleFilter, action?: RuleAction): RuleDescription {
    this.begin();
    try {
      const s = this.subscription(topic, subscription);
      checkShortName(name, 'rule');
      if (s.rules.has(keyOf(name))) throw errors.entityExists(`${s.path}/Rules/${name}`);
      const rule = makeRule(name, filter, action, this.core.now);
      s.rules.set(keyOf(name), rule);
      return cloneRule(rule.description);
    } finally {
      this.end();
    }
  }

  getRule(topic: string, subscription: string, name: string): RuleDescription {
    this.begin();
    try {
      return cloneRule(this.rule(topic, subscription, name).description);
    } finally {
      this.end();
    }
  }

  updateRule(topic: string, subscription: string, name: string, filter: RuleFilter, action?: RuleAction): RuleDescription {
    this.begin();
    try {
      const s = this.subscription(topic, subscription);
      const old = this.rule(topic, subscription, name);
      const rule = makeRule(old.description.name, filter, action, old.description.createdAt);
      s.rules.set(keyOf(name), rule);
      return cloneRule(rule.description);
    } finally {
      this.end();
    }
  }

  deleteRule(topic: string, subscription: string, name: string): void {
    this.begin();
    try {
      this.rule(topic, subscription, name);
      this.subscription(topic, subscription).rules.delete(keyOf(name));
    } finally {
      this.end();
    }
  }

  listRules(topic: string, subscription: string): RuleDescription[] {
    this.begin();
    try {
      return [...this.subscription(topic, subscription).rules.values()].map((r) => cloneRule(r.description));
    } finally {
      this.end();
    }
  }

  private rule(topic: string, subscription: string, name: string) {
    const s = this.subscription(topic, subscription);
    const r = typeof name === 'string' ? s.rules.get(keyOf(name)) : undefined;
    if (r === undefined) throw errors.entityNotFound(`${s.path}/Rules/${String(name)}`);
    return r;
  }

  entityKind(path: string): 'queue' | 'topic' | 'subscription' | undefined {
    if (typeof path !== 'string' || path.length === 0) return undefined;
    return this.lookup(path)?.entity.kind;
  }

  runtime(path: string): RuntimeInfo {
    this.begin();
    try {
      return this.receivable(path).entity.runtime();
    } finally {
      this.end();
    }
  }

  /** A status change (re-enabling receive) may let receivers and waiters proceed. */
  private afterPropertyChange(entity: AnyReceivable): void {
    if (receiveBlocked(entity.properties.status)) return;
    this.core.notifyReceivers(entity.main);
    this.core.notifyReceivers(entity.dlq);
  }

  /** Deleting an entity: every message goes, receivers close, waiters are told. */
  private teardown(entity: AnyReceivable): void {
    entity.deleted = true;
    const gone = errors.entityNotFound(entity.path);
    const table = entity.main.sessions;
    if (table !== undefined) {
      for (const s of table.sessions.values()) {
        const holder = s.holder;
        this.core.deadlines.cancel(s.lockDeadline);
        if (holder !== undefined) {
          holder.closed = true;
          s.holder = undefined;
          this.core.later(() => holder.lockLost(gone));
        }
      }
      for (let w = table.takeWaiter(); w !== undefined; w = table.takeWaiter()) w.fail(gone);
      table.sessions.clear();
    }
    for (const sub of [entity.main, entity.dlq]) {
      for (const r of sub.receivers) (r as ReceiverImpl).closed = true;
      sub.clear();
    }
    this.pathCache.clear();
  }

  // ---- sending ----------------------------------------------------------------------------

  send(path: string, messages: MessageInput[]): number[] {
    this.begin();
    try {
      return this.accept(this.sendable(path), messages, false);
    } finally {
      this.end();
    }
  }

  schedule(path: string, messages: MessageInput[]): number[] {
    this.begin();
    try {
      return this.accept(this.sendable(path), messages, true);
    } finally {
      this.end();
    }
  }

  private accept(target: SendableEntity, messages: unknown, mustSchedule: boolean): number[] {
    if (!Array.isArray(messages)) throw errors.argument('messages must be an array.');
    const props = target.properties;
    if (sendBlocked(props.status)) throw errors.disabled(target.name, props.status === 'Disabled' ? 'disabled' : 'send disabled');
    const limits = {
      maxMessageBytes: props.maxMessageSizeInKilobytes * 1024,
      requiresSession: target.kind === 'queue' && target.properties.requiresSession,
    };
    const records: Msg[] = new Array(messages.length);
    let batchBytes = 0;
    for (let i = 0; i < messages.length; i++) {
      const m = toRecord(messages[i], limits);
      if (mustSchedule && m.scheduledAt === undefined) throw errors.argument('A scheduled message needs scheduledEnqueueTimeUtc.');
      batchBytes += m.size;
      records[i] = m;
    }
    const held = target.kind === 'queue' ? target.main.sizeInBytes + target.dlq.sizeInBytes : target.sizeInBytes();
    if (held + batchBytes > props.maxSizeInMegabytes * 1024 * 1024) throw errors.quota(target.name, props.maxSizeInMegabytes);

    const core = this.core;
    const now = core.now;
    target.times.accessedAt = now;
    const dedupe = props.requiresDuplicateDetection;
    const seqs: number[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const m = records[i]!;
      if (dedupe) {
        const original = target.duplicates.check(m.messageId, now, props.duplicateDetectionHistoryTimeWindowMs);
        if (original !== undefined) {
          seqs[i] = original;
          continue;
        }
      }
      m.seq = m.enqSeq = target.nextSeq++;
      seqs[i] = m.seq;
      if (dedupe) target.duplicates.record(m.messageId, now, m.seq);
      if (props.defaultMessageTimeToLiveMs < m.ttl) m.ttl = props.defaultMessageTimeToLiveMs;
      const scheduled = m.scheduledAt !== undefined && m.scheduledAt > now;
      m.enqueuedAt = scheduled ? m.scheduledAt! : now;
      if (target.kind === 'queue') {
        if (scheduled) {
          m.state = 'scheduled';
          placeInMain(core, target.main, m);
        } else {
          enqueue(core, target, m);
        }
      } else if (scheduled) {
        m.state = 'scheduled';
        target.scheduled.set(m.seq, m);
        target.scheduledBytes += m.size;
        m.deadline = core.deadlines.add(m.scheduledAt!, DeadlineKind.ScheduledEnqueue, { topic: target, m } satisfies TopicSchedule);
      } else {
        fanOut(core, target, m);
      }
    }
    return seqs;
  }

  cancelScheduled(path: string, sequenceNumbers: number[]): void {
    this.begin();
    try {
      const target = this.sendable(path);
      for (const seq of checkSequenceNumbers(sequenceNumbers)) {
        if (target.kind === 'queue') {
          const m = target.main.index.get(seq);
          if (m !== undefined && m.state === 'scheduled') target.main.remove(m);
        } else {
          const m = target.scheduled.get(seq);
          if (m === undefined) continue;
          target.scheduled.delete(seq);
          target.scheduledBytes -= m.size;
          this.core.deadlines.cancel(m.deadline);
          m.gone = true;
        }
      }
    } finally {
      this.end();
    }
  }

  // ---- receiving --------------------------------------------------------------------------

  private checkReceiverOptions(options: unknown): ReceiverOptions {
    if (options === null || typeof options !== 'object') throw errors.argument('Receiver options must be an object.');
    const o = options as SessionReceiverOptions;
    checkMode(o.mode);
    checkFunction(o.onAvailable, 'onAvailable');
    checkFunction(o.onSessionLockLost, 'onSessionLockLost');
    return o;
  }

  openReceiver(path: string, options: ReceiverOptions): Receiver {
    this.begin();
    try {
      const o = this.checkReceiverOptions(options);
      const { entity, sub } = this.receivable(path);
      if (sub.sessions !== undefined) throw errors.invalid(`'${path}' requires sessions; accept a session to receive from it.`);
      this.checkReceivable(entity);
      const r = new ReceiverImpl(this, sub, path, o.mode, o);
      // Receivers without a callback never need waking; marking them as already queued skips them.
      r.notifyQueued = o.onAvailable === undefined;
      sub.receivers.add(r);
      if (sub.readyCount > 0) this.core.notify(r);
      return r;
    } finally {
      this.end();
    }
  }

  acceptSession(path: string, sessionId: string, options: SessionReceiverOptions): SessionReceiver {
    this.begin();
    try {
      const o = this.checkReceiverOptions(options) as SessionReceiverOptions;
      if (typeof sessionId !== 'string') throw errors.argument('sessionId must be a string.');
      const { entity, sub } = this.sessionSubQueue(path);
      this.checkReceivable(entity);
      const session = sub.sessions!.ensure(sessionId);
      if (session.holder !== undefined) throw errors.sessionCannotBeLocked(sessionId);
      return this.lockSession(sub, session, path, o);
    } finally {
      this.end();
    }
  }

  acceptNextSession(
    path: string,
    options: SessionReceiverOptions & { timeoutMs: number },
    done: (error: BrokerError | undefined, receiver: SessionReceiver | undefined) => void,
  ): () => void {
    this.begin();
    try {
      const o = this.checkReceiverOptions(options) as SessionReceiverOptions & { timeoutMs: number };
      if (typeof done !== 'function') throw errors.argument('done must be a function.');
      const timeoutMs = o.timeoutMs;
      if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) throw errors.argument('timeoutMs must be a non-negative number.');
      const { entity, sub } = this.sessionSubQueue(path);
      this.checkReceivable(entity);
      const table = sub.sessions!;
      const core = this.core;
      const waiter: Waiter = {
        active: true,
        cancelled: false,
        deadline: undefined,
        fail: (error) => {
          waiter.active = false;
          core.deadlines.cancel(waiter.deadline);
          core.later(() => {
            if (!waiter.cancelled) done(error, undefined);
          });
        },
        grant: (session) => {
          waiter.active = false;
          core.deadlines.cancel(waiter.deadline);
          const r = this.lockSession(sub, session, path, o);
          core.later(() => {
            // Cancelled after the session was granted but before hearing of it: give it back.
            if (waiter.cancelled) r.close();
            else done(undefined, r);
          });
        },
      };
      const first = table.firstAvailable();
      if (first !== undefined && !table.hasWaiters()) {
        waiter.grant(first);
      } else if (timeoutMs === 0) {
        waiter.active = false;
        core.later(() => {
          if (!waiter.cancelled) done(errors.timeout('object session'), undefined);
        });
      } else {
        waiter.deadline = core.deadlines.add(core.now + Math.min(timeoutMs, Number.MAX_SAFE_INTEGER - core.now), DeadlineKind.AcceptDeadline, waiter);
        table.waiters.push(waiter);
      }
      return () => {
        waiter.cancelled = true;
        if (waiter.active) {
          waiter.active = false;
          core.deadlines.cancel(waiter.deadline);
        }
      };
    } finally {
      this.end();
    }
  }

  private sessionSubQueue(path: string): { entity: AnyReceivable; sub: SubQueue } {
    const r = this.receivable(path);
    if (r.sub.sessions === undefined) throw errors.invalid(`'${path}' is not session-enabled.`);
    return r;
  }

  private lockSession(sub: SubQueue, session: Session, path: string, options: SessionReceiverOptions): SessionReceiverImpl {
    const core = this.core;
    const r = new SessionReceiverImpl(this, sub, path, session, options);
    r.notifyQueued = options.onAvailable === undefined;
    session.holder = r;
    session.lockedUntil = core.now + sub.owner.properties.lockDurationMs;
    session.lockDeadline = core.deadlines.add(session.lockedUntil, DeadlineKind.SessionLock, session);
    sub.sessions!.refresh(session);
    if (session.readyCount > 0) core.notify(r);
    return r;
  }

  receiveFor(r: ReceiverImpl, max: number): StoredMessage[] {
    this.begin();
    try {
      const n = checkCount(max, 'max');
      const sub = r.sub;
      let session: Session | undefined;
      if (r instanceof SessionReceiverImpl) {
        if (!r.holdsLock) throw errors.sessionLockLost(r.sessionId);
        session = r.session;
      } else if (r.closed) {
        throw errors.invalid('The receiver is closed.');
      }
      const entity = sub.owner;
      if (entity.deleted) throw errors.entityNotFound(r.path);
      this.checkReceivable(entity);
      entity.times.accessedAt = this.core.now;
      return this.take(sub, session, n, r.mode);
    } finally {
      this.end();
    }
  }

  private take(sub: SubQueue, session: Session | undefined, max: number, mode: ReceiveMode): StoredMessage[] {
    const core = this.core;
    const now = core.now;
    const out: StoredMessage[] = [];
    const lockMs = sub.owner.properties.lockDurationMs;
    while (out.length < max) {
      const m = sub.takeReady(session);
      if (m === undefined) break;
      if (!sub.deadLetter && m.expiresAt <= now) {
        expire(core, m.home!, m);
        continue;
      }
      if (mode === 'receiveAndDelete') {
        out.push(snapshot(m));
        sub.remove(m);
      } else {
        this.lockMessage(sub, m, session, lockMs);
        out.push(snapshot(m));
      }
    }
    return out;
  }

  private lockMessage(sub: SubQueue, m: Msg, session: Session | undefined, lockMs: number): void {
    if (session !== undefined) {
      // Session messages are locked by the session lock; they have no deadline of their own.
      sub.lock(m);
    } else {
      sub.lock(m);
      m.lockDeadline = this.core.deadlines.add(this.core.now + lockMs, DeadlineKind.MessageLock, m);
    }
  }

  closeReceiver(r: ReceiverImpl): void {
    this.begin();
    try {
      if (r.closed) return;
      r.closed = true;
      r.sub.receivers.delete(r);
      if (r instanceof SessionReceiverImpl && r.session.holder === r) {
        r.closed = false; // releaseSession closes it as the holder
        releaseSession(this.core, r.session, false);
      }
    } finally {
      this.end();
    }
  }

  renewSessionFor(r: SessionReceiverImpl): number {
    this.begin();
    try {
      if (!r.holdsLock) throw errors.sessionLockLost(r.sessionId);
      return this.extendSession(r.session);
    } finally {
      this.end();
    }
  }

  private extendSession(s: Session): number {
    const core = this.core;
    s.lockedUntil = core.now + s.home.owner.properties.lockDurationMs;
    core.deadlines.cancel(s.lockDeadline);
    s.lockDeadline = core.deadlines.add(s.lockedUntil, DeadlineKind.SessionLock, s);
    return s.lockedUntil;
  }

  // ---- settlement -------------------------------------------------------------------------

  /** The locked message a token names, or the error a client should see. */
  private locked(path: string, lockToken: string, options: SettleOptions | undefined): { sub: SubQueue; m: Msg } {
    if (!isLockTokenString(lockToken)) throw errors.argument('A lock token must be a non-empty string.');
    if (options !== undefined && (options === null || typeof options !== 'object')) throw errors.argument('Settle options must be an object.');
    const sessionId = checkOptionalString(options?.sessionId, 'sessionId');
    const { sub } = this.receivable(path);
    if (sessionId !== undefined && sub.sessions !== undefined && sub.sessions.get(sessionId)?.holder === undefined) {
      throw errors.sessionLockLost(sessionId);
    }
    const m = sub.locks.get(lockToken) ?? sub.locks.get(lockToken.toLowerCase());
    if (m === undefined) {
      throw this.core.lostTokens.has(lockToken.toLowerCase()) ? errors.sessionLockLost(sessionId) : errors.lockLost();
    }
    if (sessionId !== undefined && sub.sessions !== undefined && m.sessionId !== sessionId) throw errors.lockLost();
    return { sub, m };
  }

  complete(path: string, lockToken: string, options?: SettleOptions): void {
    this.begin();
    try {
      const { sub, m } = this.locked(path, lockToken, options);
      sub.remove(m);
    } finally {
      this.end();
    }
  }

  abandon(path: string, lockToken: string, propertiesToModify?: PropertiesToModify, options?: SettleOptions): void {
    this.begin();
    try {
      const props = checkProperties(propertiesToModify);
      const { sub, m } = this.locked(path, lockToken, options);
      giveBack(this.core, sub, m, true, props);
    } finally {
      this.end();
    }
  }

  release(path: string, lockToken: string, options?: SettleOptions): void {
    this.begin();
    try {
      const { sub, m } = this.locked(path, lockToken, options);
      giveBack(this.core, sub, m, false);
    } finally {
      this.end();
    }
  }

  defer(path: string, lockToken: string, propertiesToModify?: PropertiesToModify, options?: SettleOptions): void {
    this.begin();
    try {
      const props = checkProperties(propertiesToModify);
      const { sub, m } = this.locked(path, lockToken, options);
      sub.unlock(m);
      m.modify(props);
      m.state = 'deferred';
      // Its TTL may have run out while it was locked; deferring must not keep it alive.
      if (!sub.deadLetter && m.expiresAt <= this.core.now) expire(this.core, sub, m);
    } finally {
      this.end();
    }
  }

  deadLetter(path: string, lockToken: string, options?: DeadLetterOptions, settle?: SettleOptions): void {
    this.begin();
    try {
      if (options !== undefined && (options === null || typeof options !== 'object')) throw errors.argument('Dead-letter options must be an object.');
      const reason = checkOptionalString(options?.reason, 'reason');
      const description = checkOptionalString(options?.description, 'description');
      const props = checkProperties(options?.propertiesToModify);
      const { sub, m } = this.locked(path, lockToken, settle);
      if (sub.deadLetter) throw errors.invalid('A message in a dead-letter queue cannot be dead-lettered again.');
      m.modify(props);
      deadLetter(this.core, sub, m, reason, description);
    } finally {
      this.end();
    }
  }

  renewLock(path: string, lockTokens: string[], options?: SettleOptions): number[] {
    this.begin();
    try {
      if (!Array.isArray(lockTokens)) throw errors.argument('lockTokens must be an array.');
      const found = lockTokens.map((t) => this.locked(path, t, options));
      for (const { m } of found) {
        if (m.session !== undefined) throw errors.invalid('Renewing a message lock is not supported for session messages; renew the session lock.');
      }
      const core = this.core;
      return found.map(({ m }) => {
        const until = core.now + m.home!.owner.properties.lockDurationMs;
        core.deadlines.cancel(m.lockDeadline);
        m.lockDeadline = core.deadlines.add(until, DeadlineKind.MessageLock, m);
        return until;
      });
    } finally {
      this.end();
    }
  }

  // ---- browsing and by-sequence-number ------------------------------------------------------

  peek(path: string, fromSequenceNumber: number, maxCount: number, sessionId?: string): StoredMessage[] {
    this.begin();
    try {
      const from = checkCount(fromSequenceNumber, 'fromSequenceNumber');
      const max = checkCount(maxCount, 'maxCount');
      const id = checkOptionalString(sessionId, 'sessionId');
      const { sub } = this.receivable(path);
      const out: StoredMessage[] = [];
      if (max === 0) return out;
      const source = id !== undefined && sub.sessions !== undefined ? sub.sessions.get(id)?.index : sub.index;
      if (source === undefined) return out;
      for (const m of source.from(from)) {
        if (id !== undefined && m.sessionId !== id) continue;
        out.push(snapshot(m));
        if (out.length >= max) break;
      }
      return out;
    } finally {
      this.end();
    }
  }

  receiveDeferred(path: string, sequenceNumbers: number[], mode: ReceiveMode, sessionId?: string): StoredMessage[] {
    this.begin();
    try {
      const seqs = checkSequenceNumbers(sequenceNumbers);
      checkMode(mode);
      const id = checkOptionalString(sessionId, 'sessionId');
      const { entity, sub } = this.receivable(path);
      this.checkReceivable(entity);
      let session: Session | undefined;
      if (sub.sessions !== undefined) {
        if (id === undefined) throw errors.invalid(`'${path}' requires sessions; receive deferred messages through a session.`);
        session = sub.sessions.get(id);
        if (session?.holder === undefined) throw errors.sessionLockLost(id);
      }
      const index = session?.index ?? sub.index;
      const picked: Msg[] = [];
      const seen = new Set<number>();
      for (const seq of seqs) {
        if (seen.has(seq)) continue;
        seen.add(seq);
        const m = index.get(seq);
        if (m === undefined || m.state !== 'deferred' || m.lockToken !== undefined || (id !== undefined && m.sessionId !== id)) {
          throw errors.messageNotFound(`Failed to lock one or more specified messages. The message with sequence number ${seq} was not found.`);
        }
        picked.push(m);
      }
      const lockMs = entity.properties.lockDurationMs;
      return picked.map((m) => {
        if (mode === 'receiveAndDelete') {
          const s = snapshot(m);
          sub.remove(m);
          return s;
        }
        this.lockMessage(sub, m, session, lockMs);
        return snapshot(m);
      });
    } finally {
      this.end();
    }
  }

  deleteMessages(path: string, options: DeleteMessagesOptions): number {
    this.begin();
    try {
      if (options === null || typeof options !== 'object') throw errors.argument('Delete options must be an object.');
      const count = checkCount(options.count, 'count');
      const before = options.enqueuedBeforeUtc;
      if (before !== undefined && (typeof before !== 'number' || Number.isNaN(before))) throw errors.argument('enqueuedBeforeUtc must be a number.');
      const id = checkOptionalString(options.sessionId, 'sessionId');
      const { sub } = this.receivable(path);
      const source = id !== undefined && sub.sessions !== undefined ? sub.sessions.get(id)?.index : sub.index;
      if (source === undefined || count === 0) return 0;
      const victims: Msg[] = [];
      for (const m of source.from(0)) {
        if (m.state !== 'active' || m.lockToken !== undefined) continue;
        if (before !== undefined && m.enqueuedAt >= before) continue;
        if (id !== undefined && m.sessionId !== id) continue;
        victims.push(m);
        if (victims.length >= count) break;
      }
      for (const m of victims) sub.remove(m);
      return victims.length;
    } finally {
      this.end();
    }
  }

  // ---- sessions ---------------------------------------------------------------------------

  private lockedSession(path: string, sessionId: string): Session {
    if (typeof sessionId !== 'string') throw errors.argument('sessionId must be a string.');
    const { sub } = this.sessionSubQueue(path);
    const s = sub.sessions!.get(sessionId);
    if (s?.holder === undefined) throw errors.sessionLockLost(sessionId);
    return s;
  }

  renewSessionLock(path: string, sessionId: string): number {
    this.begin();
    try {
      return this.extendSession(this.lockedSession(path, sessionId));
    } finally {
      this.end();
    }
  }

  getSessionState(path: string, sessionId: string): Uint8Array | null {
    this.begin();
    try {
      const s = this.lockedSession(path, sessionId);
      return s.state === null ? null : s.state.slice();
    } finally {
      this.end();
    }
  }

  setSessionState(path: string, sessionId: string, state: Uint8Array | null): void {
    this.begin();
    try {
      if (state !== null && !(state instanceof Uint8Array)) throw errors.argument('Session state must be a Uint8Array or null.');
      const s = this.lockedSession(path, sessionId);
      s.state = state === null ? null : new Uint8Array(state);
      s.stateUpdatedAt = this.core.now;
    } finally {
      this.end();
    }
  }

  listSessions(path: string, options: { skip: number; top: number; lastUpdatedAfter?: number }): string[] {
    this.begin();
    try {
      if (options === null || typeof options !== 'object') throw errors.argument('listSessions options must be an object.');
      const skip = checkCount(options.skip, 'skip');
      const top = checkCount(options.top, 'top');
      const after = options.lastUpdatedAfter;
      if (after !== undefined && (typeof after !== 'number' || Number.isNaN(after))) throw errors.argument('lastUpdatedAfter must be a number.');
      const { sub } = this.receivable(path);
      if (sub.sessions === undefined) return [];
      const ids: string[] = [];
      for (const s of sub.sessions.sessions.values()) {
        if (s.messageCount === 0 && s.state === null) continue;
        if (after !== undefined && !(s.state !== null && s.stateUpdatedAt > after)) continue;
        ids.push(s.id);
      }
      ids.sort();
      return ids.slice(skip, skip + top);
    } finally {
      this.end();
    }
  }
}
