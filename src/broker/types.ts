/**
 * Protocol-neutral data of the broker core: entity descriptions, rules and the message record.
 * Durations are milliseconds; instants are milliseconds since the Unix epoch (as the Clock gives them).
 */

/** TimeSpan.MaxValue as Service Bus reports it (P10675199DT2H48M5.4775807S), in ms. */
export const MAX_DURATION_MS = 922_337_203_685_477;

/** The namespace tier (see sku.ts). */
export type NamespaceSku = 'Standard' | 'Premium';

export type EntityStatus = 'Active' | 'Disabled' | 'SendDisabled' | 'ReceiveDisabled';

/**
 * An entity-level SAS policy (Azure's SharedAccessAuthorizationRule on a queue or topic). The
 * broker only stores it; the adapters validate it, generate missing keys and check tokens with it.
 */
export interface AuthorizationRule {
  keyName: string;
  primaryKey: string;
  secondaryKey: string;
  rights: Array<'Manage' | 'Send' | 'Listen'>;
  createdAt: number;
  modifiedAt: number;
}

/** Settable properties shared by queues and subscriptions (the receivable entities). */
export interface ReceivableProperties {
  lockDurationMs: number; // PT1M
  maxDeliveryCount: number; // 10
  defaultMessageTimeToLiveMs: number; // MAX_DURATION_MS
  deadLetteringOnMessageExpiration: boolean; // false
  requiresSession: boolean; // false
  forwardTo?: string;
  forwardDeadLetteredMessagesTo?: string;
  status: EntityStatus; // Active
  autoDeleteOnIdleMs: number; // MAX_DURATION_MS (stored only)
  enableBatchedOperations: boolean; // true
  userMetadata?: string;
}

export interface QueueProperties extends ReceivableProperties {
  enablePartitioning: boolean; // false
  maxSizeInMegabytes: number; // 1024
  maxMessageSizeInKilobytes: number; // 256
  requiresDuplicateDetection: boolean; // false
  duplicateDetectionHistoryTimeWindowMs: number; // PT10M
  enableExpress: boolean; // false
  authorizationRules: readonly AuthorizationRule[]; // none
}

export interface TopicProperties {
  defaultMessageTimeToLiveMs: number;
  maxSizeInMegabytes: number;
  maxMessageSizeInKilobytes: number;
  requiresDuplicateDetection: boolean;
  duplicateDetectionHistoryTimeWindowMs: number;
  enableBatchedOperations: boolean;
  enablePartitioning: boolean;
  supportOrdering: boolean; // true
  status: EntityStatus;
  autoDeleteOnIdleMs: number;
  enableExpress: boolean;
  userMetadata?: string;
  authorizationRules: readonly AuthorizationRule[];
}

export interface SubscriptionProperties extends ReceivableProperties {
  deadLetteringOnFilterEvaluationExceptions: boolean; // true
}

/** Timestamps every entity carries (epoch ms). */
export interface EntityTimes {
  createdAt: number;
  updatedAt: number;
  accessedAt: number;
}

// ---- rules -----------------------------------------------------------------------------------

export interface CorrelationFilter {
  type: 'correlation';
  correlationId?: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
  subject?: string;
  sessionId?: string;
  replyToSessionId?: string;
  contentType?: string;
  /** Application properties, matched by equality. */
  properties: Record<string, unknown>;
  /**
   * The type each property was declared with where the admin API names one its value does not
   * carry (long, duration, guid, short…), so that it reads back as it was written.
   */
  propertyTypes?: Record<string, string>;
}

export type RuleFilter =
  | { type: 'true' }
  | { type: 'false' }
  | CorrelationFilter
  /** SQL filters are stored; evaluation is the job of a later issue (see sqlFilter in rules.ts). */
  | { type: 'sql'; expression: string; parameters?: Record<string, unknown> };

export type RuleAction = { type: 'empty' } | { type: 'sql'; expression: string };

export interface RuleDescription {
  name: string;
  filter: RuleFilter;
  action: RuleAction;
  createdAt: number;
}

export const DEFAULT_RULE_NAME = '$Default';

// ---- runtime counts --------------------------------------------------------------------------

export interface CountDetails {
  activeMessageCount: number;
  deadLetterMessageCount: number;
  scheduledMessageCount: number;
  transferMessageCount: number;
  transferDeadLetterMessageCount: number;
}

export interface RuntimeInfo extends CountDetails {
  /** All messages in the entity, dead-letter subqueue included (Azure's MessageCount). */
  totalMessageCount: number;
  sizeInBytes: number;
}

// ---- messages --------------------------------------------------------------------------------

/** What an adapter hands the broker on send. */
export interface MessageInput {
  /**
   * The protocol's own representation (for AMQP: the encoded sections). The broker never looks
   * inside; it hands it back on every delivery, peek and dead-letter.
   */
  payload: unknown;
  /** Encoded size in bytes, for max-message-size, MaxSizeInMegabytes and SizeInBytes. */
  size: number;
  messageId?: string;
  sessionId?: string;
  partitionKey?: string;
  /** Header TTL; absent means the entity's DefaultMessageTimeToLive. */
  timeToLiveMs?: number;
  /** Epoch ms; when in the future the message is scheduled. */
  scheduledEnqueueTimeUtc?: number;
  contentType?: string;
  correlationId?: string;
  subject?: string;
  to?: string;
  replyTo?: string;
  replyToSessionId?: string;
  applicationProperties?: Record<string, unknown>;
}

export type MessageState = 'active' | 'deferred' | 'scheduled';

/** Numeric values of x-opt-message-state. */
export const MESSAGE_STATE_CODE: Record<MessageState, number> = { active: 0, deferred: 1, scheduled: 2 };

/**
 * A message as the broker holds it. Adapters read these fields to build deliveries;
 * only the broker changes them.
 */
export interface StoredMessage {
  readonly payload: unknown;
  readonly size: number;
  readonly messageId: string;
  readonly sessionId?: string;
  readonly partitionKey?: string;
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly subject?: string;
  readonly to?: string;
  readonly replyTo?: string;
  readonly replyToSessionId?: string;
  /** Application properties as sent (used by filters). */
  readonly applicationProperties: Readonly<Record<string, unknown>>;
  /**
   * Application-property changes made by the broker and by settlement (propertiesToModify,
   * DeadLetterReason, DeadLetterErrorDescription, rule actions). Adapters apply them over the
   * original properties when they encode the message; an undefined value removes the property.
   */
  readonly propertyChanges?: ReadonlyMap<string, unknown>;
  /** Header fields a rule action changed (messageId, sessionId, to, subject, …): encode them anew. */
  readonly rewrittenHeaders?: ReadonlySet<string>;
  readonly sequenceNumber: number;
  /** Sequence number in the entity it was first enqueued to (before forwarding). */
  readonly enqueuedSequenceNumber?: number;
  readonly enqueuedTimeUtc: number;
  /** The effective TTL (min of the message's and the entity's). */
  readonly timeToLiveMs: number;
  /** enqueuedTimeUtc + timeToLiveMs, capped at MAX_SAFE_INTEGER. */
  readonly expiresAtUtc: number;
  readonly scheduledEnqueueTimeUtc?: number;
  /** Previous delivery attempts: 0 on first delivery. */
  readonly deliveryCount: number;
  readonly state: MessageState;
  /** Set while peek-locked. */
  readonly lockToken?: string;
  readonly lockedUntilUtc?: number;
  readonly deadLetterReason?: string;
  readonly deadLetterErrorDescription?: string;
  /** Entity path the message was dead-lettered from (set when it is forwarded out of a DLQ). */
  readonly deadLetterSource?: string;
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

/** How a settlement changes a message's application properties. */
export type PropertiesToModify = Record<string, unknown> | undefined;

export interface SendOptions {
  /** A declared transaction: the batch is checked now and stored when it commits. */
  transactionId?: string;
  /** Send via: the entity the transaction works on, through which this send reaches its target. */
  via?: string;
  /**
   * Send via whatever entity the transaction works on (the first one it touched), as Azure routes
   * sends of clients with cross-entity transactions enabled, which name no via entity.
   */
  viaTransactionEntity?: boolean;
}

export interface DeadLetterOptions {
  reason?: string;
  description?: string;
  propertiesToModify?: PropertiesToModify;
}
