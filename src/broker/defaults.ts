/**
 * Azure's defaults for entity properties, and the checks a partial property set must pass before
 * it is merged. No artificial caps: TTL and MaxDeliveryCount go as high as Azure allows.
 */
import { errors } from './errors.js';
import {
  MAX_DURATION_MS,
  type EntityStatus,
  type QueueProperties,
  type ReceivableProperties,
  type SubscriptionProperties,
  type TopicProperties,
} from './types.js';

const MINUTE = 60_000;

/** What queues and subscriptions (the receivable entities) share, with Azure's defaults. */
const receivableDefaults = (): ReceivableProperties => ({
  lockDurationMs: MINUTE,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
  status: 'Active',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
  enableBatchedOperations: true,
});

export const queueDefaults = (): QueueProperties => ({
  ...receivableDefaults(),
  enablePartitioning: false,
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 10 * MINUTE,
  enableExpress: false,
  authorizationRules: [],
});

export const topicDefaults = (): TopicProperties => ({
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 10 * MINUTE,
  enableBatchedOperations: true,
  enablePartitioning: false,
  supportOrdering: true,
  status: 'Active',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
  enableExpress: false,
  authorizationRules: [],
});

export const subscriptionDefaults = (): SubscriptionProperties => ({
  ...receivableDefaults(),
  deadLetteringOnFilterEvaluationExceptions: true,
});

type Check = (value: unknown) => boolean;

const positiveDuration: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_DURATION_MS;
const positiveInt: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const bool: Check = (v) => typeof v === 'boolean';
const optionalString: Check = (v) => v === undefined || typeof v === 'string';
const STATUSES: readonly EntityStatus[] = ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled'];
const status: Check = (v) => STATUSES.includes(v as EntityStatus);
// Validated (names, rights, keys) by the adapter that parsed them; the broker stores them.
const ruleList: Check = (v) => Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && typeof r.keyName === 'string');

const CHECKS: Record<string, Check> = {
  lockDurationMs: positiveDuration,
  maxDeliveryCount: positiveInt,
  defaultMessageTimeToLiveMs: positiveDuration,
  deadLetteringOnMessageExpiration: bool,
  requiresSession: bool,
  forwardTo: optionalString,
  forwardDeadLetteredMessagesTo: optionalString,
  status,
  autoDeleteOnIdleMs: positiveDuration,
  enableBatchedOperations: bool,
  userMetadata: optionalString,
  enablePartitioning: bool,
  maxSizeInMegabytes: positiveInt,
  maxMessageSizeInKilobytes: positiveInt,
  requiresDuplicateDetection: bool,
  duplicateDetectionHistoryTimeWindowMs: positiveDuration,
  enableExpress: bool,
  supportOrdering: bool,
  deadLetteringOnFilterEvaluationExceptions: bool,
  authorizationRules: ruleList,
};

/**
 * Merges `patch` over `base`, rejecting unknown keys and ill-typed values with ArgumentError.
 * `undefined` values in the patch are skipped, except for the optional string properties, where
 * they clear the setting (an update without ForwardTo removes forwarding).
 */
export function mergeProperties<T extends object>(base: T, patch: unknown, what: string): T {
  if (patch === undefined) return { ...base };
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw errors.argument(`${what} properties must be an object.`);
  }
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    const check = CHECKS[key];
    if (check === undefined) {
      throw errors.argument(`Unknown ${what} property '${key}'.`);
    }
    if (value === undefined && check !== optionalString) continue;
    if (!check(value)) throw errors.argument(`Invalid value for ${what} property '${key}': ${String(value)}.`);
    if (value === undefined || value === '') delete out[key];
    else out[key] = value;
  }
  return out as T;
}

/** Keys each entity kind accepts, so a queue-only property given to a subscription is rejected. */
export const QUEUE_KEYS = new Set([...Object.keys(queueDefaults()), 'forwardTo', 'forwardDeadLetteredMessagesTo', 'userMetadata']);
export const TOPIC_KEYS = new Set([...Object.keys(topicDefaults()), 'userMetadata']);
export const SUBSCRIPTION_KEYS = new Set([
  ...Object.keys(subscriptionDefaults()),
  'forwardTo',
  'forwardDeadLetteredMessagesTo',
  'userMetadata',
]);

export function mergeFor<T extends object>(keys: Set<string>, base: T, patch: unknown, what: string): T {
  if (patch !== null && typeof patch === 'object') {
    for (const key of Object.keys(patch)) {
      if (!keys.has(key)) throw errors.argument(`Unknown ${what} property '${key}'.`);
    }
  }
  return mergeProperties(base, patch, what);
}
