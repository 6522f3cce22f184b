/**
 * How Config.json property names map to the broker's properties, and the value kind each takes
 * (Microsoft's schema first, then our extensions under Azure's own names).
 */
import type { AccessRight } from '../auth/types.js';
import type { CorrelationFilter, EntityStatus, QueueProperties, SubscriptionProperties, TopicProperties } from '../broker/types.js';

export type Kind = 'boolean' | 'duration' | 'positiveInteger' | 'string' | 'entityName' | 'status';

export interface PropSpec<T> {
  kind: Kind;
  to: keyof T;
}

const RECEIVABLE = {
  DeadLetteringOnMessageExpiration: { kind: 'boolean', to: 'deadLetteringOnMessageExpiration' },
  DefaultMessageTimeToLive: { kind: 'duration', to: 'defaultMessageTimeToLiveMs' },
  ForwardDeadLetteredMessagesTo: { kind: 'entityName', to: 'forwardDeadLetteredMessagesTo' },
  ForwardTo: { kind: 'entityName', to: 'forwardTo' },
  LockDuration: { kind: 'duration', to: 'lockDurationMs' },
  MaxDeliveryCount: { kind: 'positiveInteger', to: 'maxDeliveryCount' },
  RequiresSession: { kind: 'boolean', to: 'requiresSession' },
  // extensions (Azure's names)
  AutoDeleteOnIdle: { kind: 'duration', to: 'autoDeleteOnIdleMs' },
  EnableBatchedOperations: { kind: 'boolean', to: 'enableBatchedOperations' },
  Status: { kind: 'status', to: 'status' },
  UserMetadata: { kind: 'string', to: 'userMetadata' },
} as const;

export const QUEUE_PROPS: Record<string, PropSpec<QueueProperties>> = {
  ...RECEIVABLE,
  DuplicateDetectionHistoryTimeWindow: { kind: 'duration', to: 'duplicateDetectionHistoryTimeWindowMs' },
  RequiresDuplicateDetection: { kind: 'boolean', to: 'requiresDuplicateDetection' },
  // extensions
  EnableExpress: { kind: 'boolean', to: 'enableExpress' },
  EnablePartitioning: { kind: 'boolean', to: 'enablePartitioning' },
  MaxMessageSizeInKilobytes: { kind: 'positiveInteger', to: 'maxMessageSizeInKilobytes' },
  MaxSizeInMegabytes: { kind: 'positiveInteger', to: 'maxSizeInMegabytes' },
};

export const SUBSCRIPTION_PROPS: Record<string, PropSpec<SubscriptionProperties>> = {
  ...RECEIVABLE,
  DeadLetteringOnFilterEvaluationExceptions: { kind: 'boolean', to: 'deadLetteringOnFilterEvaluationExceptions' },
};

export const TOPIC_PROPS: Record<string, PropSpec<TopicProperties>> = {
  DefaultMessageTimeToLive: { kind: 'duration', to: 'defaultMessageTimeToLiveMs' },
  DuplicateDetectionHistoryTimeWindow: { kind: 'duration', to: 'duplicateDetectionHistoryTimeWindowMs' },
  RequiresDuplicateDetection: { kind: 'boolean', to: 'requiresDuplicateDetection' },
  // extensions
  AutoDeleteOnIdle: { kind: 'duration', to: 'autoDeleteOnIdleMs' },
  EnableBatchedOperations: { kind: 'boolean', to: 'enableBatchedOperations' },
  EnableExpress: { kind: 'boolean', to: 'enableExpress' },
  EnablePartitioning: { kind: 'boolean', to: 'enablePartitioning' },
  MaxMessageSizeInKilobytes: { kind: 'positiveInteger', to: 'maxMessageSizeInKilobytes' },
  MaxSizeInMegabytes: { kind: 'positiveInteger', to: 'maxSizeInMegabytes' },
  Status: { kind: 'status', to: 'status' },
  SupportOrdering: { kind: 'boolean', to: 'supportOrdering' },
  UserMetadata: { kind: 'string', to: 'userMetadata' },
};

/** Correlation filter keys → CorrelationFilter fields (`Properties` is handled apart). */
export const CORRELATION_FIELDS: Record<string, Exclude<keyof CorrelationFilter, 'type' | 'properties'>> = {
  ContentType: 'contentType',
  CorrelationId: 'correlationId',
  Label: 'subject',
  Subject: 'subject',
  MessageId: 'messageId',
  ReplyTo: 'replyTo',
  ReplyToSessionId: 'replyToSessionId',
  SessionId: 'sessionId',
  To: 'to',
};

export const STATUSES: readonly EntityStatus[] = ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled'];
export const RIGHTS: readonly AccessRight[] = ['Manage', 'Send', 'Listen'];
export const LOGGING_TYPES = ['file', 'console'];
