/**
 * The public surface of the broker core. Adapters (src/amqp, src/http, src/server) use only this.
 *
 * Paths: entity names are case-insensitive. A receivable path is `queue`, `topic/Subscriptions/sub`,
 * or either followed by `/$DeadLetterQueue` (all segments case-insensitive). A sendable path is a
 * queue or a topic. Adapters strip URI prefixes and `/$management` before calling.
 *
 * Every method reports failure by throwing BrokerError (src/broker/errors.ts); bad arguments are
 * `ArgumentError`, never a TypeError.
 */
import type { Clock } from './clock.js';
import type { InspectedSession, PurgeOptions } from './controlTypes.js';
import type { BrokerError } from './errors.js';
import type { BrokerEvent } from './events.js';
import type {
  DeadLetterOptions,
  EntityTimes,
  MessageInput,
  NamespaceSku,
  PropertiesToModify,
  QueueProperties,
  ReceiveMode,
  RuleAction,
  RuleDescription,
  RuleFilter,
  RuntimeInfo,
  SendOptions,
  StoredMessage,
  SubscriptionProperties,
  TopicProperties,
} from './types.js';

export interface BrokerOptions {
  clock: Clock;
  /**
   * Called when the earliest due instant (lock expiry, session lock expiry, TTL, scheduled
   * enqueue, accept-session deadline) becomes earlier than any instant announced before.
   * The host arms one real timer for it and calls tick() when it fires.
   */
  onWakeup?: (dueAt: number) => void;
  /**
   * Receives whatever an adapter callback (onAvailable, onSessionLockLost, acceptNextSession's
   * `done`, onWakeup) throws. The broker runs those callbacks itself, after its own work, so it
   * must not let one adapter's bug escape: rethrown, it would stop the process and every other
   * receiver with it. Default: console.error.
   */
  onError?: (error: unknown) => void;
  /** The namespace tier: what MaxMessageSizeInKilobytes may be (see sku.ts). Default Standard. */
  sku?: NamespaceSku;
  /** Hears what happens to each message as it happens, for the test control plane's journal. */
  onEvent?: (event: BrokerEvent) => void;
}

export interface QueueView {
  /** The name as created (original case). */
  name: string;
  properties: QueueProperties;
  times: EntityTimes;
  runtime: RuntimeInfo;
}

export interface TopicView {
  name: string;
  properties: TopicProperties;
  times: EntityTimes;
  runtime: { sizeInBytes: number; scheduledMessageCount: number; subscriptionCount: number };
}

export interface SubscriptionView {
  topicName: string;
  name: string;
  properties: SubscriptionProperties;
  times: EntityTimes;
  runtime: RuntimeInfo;
}

export interface ReceiverOptions {
  mode: ReceiveMode;
  /**
   * Called (synchronously, from inside the broker) when messages this receiver could take
   * become available: a send, an abandon, a release, a lock expiry, a scheduled message coming due.
   * The adapter should defer its reaction (setImmediate) and then call receive().
   */
  onAvailable?: () => void;
  /** Who holds what this receiver locks (e.g. the AMQP connection id), as inspection reports it. */
  owner?: string;
}

export interface SessionReceiverOptions extends ReceiverOptions {
  /** Called when the session lock expires; the receiver is closed by then. */
  onSessionLockLost?: (error: BrokerError) => void;
}

export interface Receiver {
  readonly path: string;
  readonly mode: ReceiveMode;
  /**
   * Up to `max` messages in order. Peek-lock: each is locked (lockToken, lockedUntilUtc set).
   * Receive-and-delete: each is removed. Returns [] when none is available.
   * A session receiver whose session lock is gone throws SessionLockLost.
   */
  receive(max: number): StoredMessage[];
  /** Stops notifications; a session receiver releases its session lock at once. Idempotent. */
  close(): void;
  readonly closed: boolean;
}

export interface SessionReceiver extends Receiver {
  readonly sessionId: string;
  readonly sessionLockedUntilUtc: number;
  /** Returns the new locked-until. */
  renewSessionLock(): number;
}

export interface SettleOptions {
  /** Set when the settlement comes through a session (link or management request with session-id). */
  sessionId?: string;
  /** A declared transaction: the settlement is checked now and applied when it commits. */
  transactionId?: string;
}

export interface DeleteMessagesOptions {
  /** How many at most. */
  count: number;
  /** Only messages enqueued before this instant. */
  enqueuedBeforeUtc?: number;
  sessionId?: string;
}

export interface BrokerApi {
  // ---- time -----------------------------------------------------------------------------
  /** The earliest instant at which tick() has work, or undefined. */
  nextDueAt(): number | undefined;
  /** Does everything due at clock.now(). */
  tick(): void;

  // ---- entities ---------------------------------------------------------------------------
  /** The namespace tier, as $namespaceinfo reports it. */
  readonly sku: NamespaceSku;
  createQueue(name: string, properties?: Partial<QueueProperties>): QueueView;
  getQueue(name: string): QueueView;
  updateQueue(name: string, properties: Partial<QueueProperties>): QueueView;
  deleteQueue(name: string): void;
  listQueues(): QueueView[];

  createTopic(name: string, properties?: Partial<TopicProperties>): TopicView;
  getTopic(name: string): TopicView;
  updateTopic(name: string, properties: Partial<TopicProperties>): TopicView;
  deleteTopic(name: string): void;
  listTopics(): TopicView[];

  /** Creates the subscription with rule `$Default` (TrueFilter unless `defaultRule` says otherwise). */
  createSubscription(
    topic: string,
    name: string,
    properties?: Partial<SubscriptionProperties>,
    defaultRule?: { name?: string; filter: RuleFilter; action?: RuleAction },
  ): SubscriptionView;
  getSubscription(topic: string, name: string): SubscriptionView;
  updateSubscription(topic: string, name: string, properties: Partial<SubscriptionProperties>): SubscriptionView;
  deleteSubscription(topic: string, name: string): void;
  listSubscriptions(topic: string): SubscriptionView[];

  createRule(topic: string, subscription: string, name: string, filter: RuleFilter, action?: RuleAction): RuleDescription;
  getRule(topic: string, subscription: string, name: string): RuleDescription;
  updateRule(topic: string, subscription: string, name: string, filter: RuleFilter, action?: RuleAction): RuleDescription;
  deleteRule(topic: string, subscription: string, name: string): void;
  listRules(topic: string, subscription: string): RuleDescription[];

  /** Whether a path names something: 'queue' | 'topic' | 'subscription' (DLQ suffix allowed), else undefined. */
  entityKind(path: string): 'queue' | 'topic' | 'subscription' | undefined;
  /** Runtime counts of a queue or subscription (or its DLQ path: counts of the parent). */
  runtime(path: string): RuntimeInfo;

  // ---- sending ----------------------------------------------------------------------------
  /**
   * Enqueues to a queue or topic, all or nothing. Messages with a future scheduledEnqueueTimeUtc
   * are scheduled. Returns their sequence numbers (for a topic: the topic's own numbers).
   */
  send(path: string, messages: MessageInput[], options?: SendOptions): number[];
  /** Schedules messages (their scheduledEnqueueTimeUtc is required); returns sequence numbers. */
  schedule(path: string, messages: MessageInput[], options?: SendOptions): number[];
  /** Cancels scheduled messages; unknown numbers are ignored, as on Azure. */
  cancelScheduled(path: string, sequenceNumbers: number[]): void;

  // ---- receiving --------------------------------------------------------------------------
  /** Non-session receiver. InvalidOperation on a session entity (its DLQ is fine). */
  openReceiver(path: string, options: ReceiverOptions): Receiver;
  /** Locks a named session. SessionCannotBeLocked while another receiver holds it. */
  acceptSession(path: string, sessionId: string, options: SessionReceiverOptions): SessionReceiver;
  /**
   * Locks the next available session, now or when one becomes available within timeoutMs;
   * then calls `done` once, with the receiver or a Timeout error. Returns a cancel function
   * (after which `done` is never called).
   */
  acceptNextSession(
    path: string,
    options: SessionReceiverOptions & { timeoutMs: number },
    done: (error: BrokerError | undefined, receiver: SessionReceiver | undefined) => void,
  ): () => void;

  // ---- settlement (by lock token, on the entity: works after the receiver is closed) ------
  complete(path: string, lockToken: string, options?: SettleOptions): void;
  abandon(path: string, lockToken: string, propertiesToModify?: PropertiesToModify, options?: SettleOptions): void;
  defer(path: string, lockToken: string, propertiesToModify?: PropertiesToModify, options?: SettleOptions): void;
  deadLetter(path: string, lockToken: string, deadLetter?: DeadLetterOptions, options?: SettleOptions): void;
  /** Returns a message the client let go unprocessed: no delivery count increment. */
  release(path: string, lockToken: string, options?: SettleOptions): void;
  /** Returns the new locked-until for each token, in order. */
  renewLock(path: string, lockTokens: string[], options?: SettleOptions): number[];

  // ---- transactions -------------------------------------------------------------------------

  /** Declares a transaction; it is rolled back unless discharged within 2 minutes. */
  declareTransaction(): string;
  /**
   * Commits (`fail` false) or rolls back a transaction. TransactionUnknown for an id not (or no
   * longer) declared, TransactionTimeout for one its timeout rolled back, TransactionRollback
   * when an operation can no longer be applied (nothing of it is).
   */
  dischargeTransaction(transactionId: string, fail: boolean): void;

  // ---- browsing and by-sequence-number ------------------------------------------------------
  /** Active, deferred and scheduled messages with sequenceNumber >= from, without locking. */
  peek(path: string, fromSequenceNumber: number, maxCount: number, sessionId?: string): StoredMessage[];
  /** Deferred messages by number (MessageNotFound if any is missing); locks or removes them. */
  receiveDeferred(path: string, sequenceNumbers: number[], mode: ReceiveMode, sessionId?: string): StoredMessage[];
  /** Deletes up to count active messages (oldest first); returns how many. */
  deleteMessages(path: string, options: DeleteMessagesOptions): number;

  // ---- sessions (each needs the session to be locked now, else SessionLockLost) ------------
  renewSessionLock(path: string, sessionId: string): number;
  getSessionState(path: string, sessionId: string): Uint8Array | null;
  setSessionState(path: string, sessionId: string, state: Uint8Array | null): void;
  /** Sessions with messages or state, ordered by id; `lastUpdatedAfter` filters on state updates. */
  listSessions(path: string, options: { skip: number; top: number; lastUpdatedAfter?: number }): string[];
}

/** What the test control plane (src/control) needs of the core beyond what adapters use. */
export interface BrokerControlApi {
  /** Empties an entity (a topic: its schedule and subscriptions); returns how many messages went. */
  purge(path: string, options?: PurgeOptions): number;
  /** Ends message locks now (one by sequence number, or all); returns how many. */
  expireMessageLocks(path: string, sequenceNumber?: number): number;
  /** Ends a session's lock now; false when nobody holds it. */
  expireSessionLock(path: string, sessionId: string): boolean;
  /** Every message of a sub-queue (a topic: its scheduled ones), without locking or counting. */
  inspectMessages(path: string): (StoredMessage & { lockHolder?: string })[];
  inspectSessions(path: string): InspectedSession[];
  /** Deferred (unlocked) and locked messages of a queue or subscription, which runtime counts fold into active. */
  countHeld(path: string): { deferred: number; locked: number };
  /** Removes one message by sequence number (a /$DeadLetterQueue path: from the dead-letter queue). */
  removeMessage(path: string, sequenceNumber: number): void;
  /** Moves a dead-lettered message back into its queue or subscription; returns its sequence number. */
  resubmitDeadLettered(path: string, sequenceNumber: number): number;
}

export type { BrokerEvent, InspectedSession, PurgeOptions };
export type { BrokerOptions as Options };
