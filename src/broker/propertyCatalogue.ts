/**
 * The one description of every entity property. Config.json keys and ATOM elements are the same
 * Azure names, so from this table come: the broker's defaults and checks (defaults.ts), the
 * Config.json property tables (config/propertyTables.ts), the ATOM serializers' settable and
 * read-only element lists (http/serializers), and the status and correlation-field lists.
 * Adding a property touches this file (and the TypeScript type that names its field).
 *
 * Ranges are Azure's own limits (not the caps of Microsoft's emulator); durations are in ms.
 */
import { MAX_DURATION_MS, type EntityStatus } from './types.js';

export type EntityKind = 'queue' | 'topic' | 'subscription';
export type ValueType = 'boolean' | 'duration' | 'integer' | 'string' | 'entityName' | 'status' | 'authorizationRules';

export interface PropertyDef {
  /** Azure's name: the Config.json key and the ATOM element. */
  readonly azure: string;
  /** The broker's property field. */
  readonly field: string;
  readonly type: ValueType;
  readonly kinds: readonly EntityKind[];
  /** Azure's default; absent for optional properties (no value unless set). */
  readonly default?: unknown;
  /** Inclusive bounds: ms for durations, the value for integers, characters for strings. */
  readonly min?: number;
  readonly max?: number;
  /** An update that leaves it out clears it (a full PUT replaces the description on Azure). */
  readonly clearable?: boolean;
  /** Read apart from the generic element reader (AuthorizationRules has its own serializer). */
  readonly apart?: boolean;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const INT32_MAX = 2 ** 31 - 1;
const Q = 'queue';
const T = 'topic';
const S = 'subscription';

export const STATUSES: readonly EntityStatus[] = ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled'];

/** Settable properties. */
export const PROPERTIES: readonly PropertyDef[] = [
  { azure: 'LockDuration', field: 'lockDurationMs', type: 'duration', kinds: [Q, S], default: MINUTE, min: 1, max: 5 * MINUTE },
  { azure: 'MaxSizeInMegabytes', field: 'maxSizeInMegabytes', type: 'integer', kinds: [Q, T], default: 1024, min: 1, max: INT32_MAX },
  { azure: 'RequiresDuplicateDetection', field: 'requiresDuplicateDetection', type: 'boolean', kinds: [Q, T], default: false },
  { azure: 'RequiresSession', field: 'requiresSession', type: 'boolean', kinds: [Q, S], default: false },
  { azure: 'DefaultMessageTimeToLive', field: 'defaultMessageTimeToLiveMs', type: 'duration', kinds: [Q, T, S], default: MAX_DURATION_MS, min: 1, max: MAX_DURATION_MS },
  { azure: 'DeadLetteringOnMessageExpiration', field: 'deadLetteringOnMessageExpiration', type: 'boolean', kinds: [Q, S], default: false },
  { azure: 'DeadLetteringOnFilterEvaluationExceptions', field: 'deadLetteringOnFilterEvaluationExceptions', type: 'boolean', kinds: [S], default: true },
  {
    azure: 'DuplicateDetectionHistoryTimeWindow',
    field: 'duplicateDetectionHistoryTimeWindowMs',
    type: 'duration',
    kinds: [Q, T],
    default: 10 * MINUTE,
    min: 20 * SECOND,
    max: 7 * DAY,
  },
  { azure: 'MaxDeliveryCount', field: 'maxDeliveryCount', type: 'integer', kinds: [Q, S], default: 10, min: 1, max: INT32_MAX },
  { azure: 'EnableBatchedOperations', field: 'enableBatchedOperations', type: 'boolean', kinds: [Q, T, S], default: true },
  { azure: 'Status', field: 'status', type: 'status', kinds: [Q, T, S], default: 'Active' },
  { azure: 'ForwardTo', field: 'forwardTo', type: 'entityName', kinds: [Q, S], clearable: true },
  { azure: 'UserMetadata', field: 'userMetadata', type: 'string', kinds: [Q, T, S], max: 1024, clearable: true },
  { azure: 'SupportOrdering', field: 'supportOrdering', type: 'boolean', kinds: [T], default: true },
  { azure: 'AutoDeleteOnIdle', field: 'autoDeleteOnIdleMs', type: 'duration', kinds: [Q, T, S], default: MAX_DURATION_MS, min: 5 * MINUTE, max: MAX_DURATION_MS },
  { azure: 'EnablePartitioning', field: 'enablePartitioning', type: 'boolean', kinds: [Q, T], default: false },
  { azure: 'ForwardDeadLetteredMessagesTo', field: 'forwardDeadLetteredMessagesTo', type: 'entityName', kinds: [Q, S], clearable: true },
  { azure: 'EnableExpress', field: 'enableExpress', type: 'boolean', kinds: [Q, T], default: false },
  // The range depends on the namespace SKU (see sku.ts); the default here is Standard's fixed size.
  { azure: 'MaxMessageSizeInKilobytes', field: 'maxMessageSizeInKilobytes', type: 'integer', kinds: [Q, T], default: 256, min: 1, max: INT32_MAX },
  { azure: 'AuthorizationRules', field: 'authorizationRules', type: 'authorizationRules', kinds: [Q, T], default: [], apart: true },
];

/**
 * Read-only elements of the descriptions: written in responses, and accepted but ignored when a
 * client echoes them back in an update.
 */
export const READ_ONLY: Readonly<Record<EntityKind, readonly string[]>> = {
  queue: ['EntityAvailabilityStatus', 'SizeInBytes', 'MessageCount', 'CountDetails', 'CreatedAt', 'UpdatedAt', 'AccessedAt', 'IsAnonymousAccessible', 'SupportOrdering', 'IsExpress'],
  topic: [
    'EntityAvailabilityStatus',
    'SizeInBytes',
    'SubscriptionCount',
    'CountDetails',
    'CreatedAt',
    'UpdatedAt',
    'AccessedAt',
    'IsAnonymousAccessible',
    'FilteringMessagesBeforePublishing',
    'EnableSubscriptionPartitioning',
    'IsExpress',
  ],
  subscription: ['EntityAvailabilityStatus', 'MessageCount', 'SizeInBytes', 'CountDetails', 'CreatedAt', 'UpdatedAt', 'AccessedAt'],
};

export const propertiesOf = (kind: EntityKind): PropertyDef[] => PROPERTIES.filter((p) => p.kinds.includes(kind));

/** Azure's defaults of one entity kind, keyed by broker field. */
export function defaultsOf(kind: EntityKind): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of propertiesOf(kind)) {
    if (p.default !== undefined) out[p.field] = Array.isArray(p.default) ? [...p.default] : p.default;
  }
  return out;
}

export const byField: ReadonlyMap<string, PropertyDef> = new Map(PROPERTIES.map((p) => [p.field, p]));

/**
 * The correlation filter's fields: Azure's name (Config.json key and ATOM element), the broker
 * field and the `$management` map key. Config.json also takes `Subject` for `Label`.
 */
export const CORRELATION_FIELDS = [
  { azure: 'CorrelationId', field: 'correlationId', management: 'correlation-id' },
  { azure: 'MessageId', field: 'messageId', management: 'message-id' },
  { azure: 'To', field: 'to', management: 'to' },
  { azure: 'ReplyTo', field: 'replyTo', management: 'reply-to' },
  { azure: 'Label', field: 'subject', management: 'label' },
  { azure: 'SessionId', field: 'sessionId', management: 'session-id' },
  { azure: 'ReplyToSessionId', field: 'replyToSessionId', management: 'reply-to-session-id' },
  { azure: 'ContentType', field: 'contentType', management: 'content-type' },
] as const;
