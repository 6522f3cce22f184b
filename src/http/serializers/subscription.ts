/** SubscriptionDescription <-> SubscriptionProperties (serializers/subscriptionResourceSerializer.js in the JS SDK). */
import type { SubscriptionView } from '../../broker/api.js';
import type { SubscriptionProperties } from '../../broker/types.js';
import { formatDuration } from '../duration.js';
import { HttpError } from '../errors.js';
import { ATTR, NS_SB, NS_XSI, isXmlObject, type XmlObject } from '../xml.js';
import { bool, clearableOf, countDetailsXml, fieldsOf, type FieldSpec, forwardAddress, ignoredOf, optional, readFields, timesXml } from './common.js';
import { readRule, type ParsedRule } from './rule.js';

export const SUBSCRIPTION_ROOT = 'SubscriptionDescription';

/** Settable elements (the property catalogue). */
export const SUBSCRIPTION_FIELDS: readonly FieldSpec[] = fieldsOf('subscription');

/** Read-only elements clients echo back on update, and DefaultRuleDescription (read separately, on create only). */
export const SUBSCRIPTION_IGNORED: ReadonlySet<string> = ignoredOf('subscription', 'DefaultRuleDescription');

export const SUBSCRIPTION_CLEARABLE = clearableOf('subscription');

export function readSubscription(el: XmlObject): { properties: Partial<SubscriptionProperties>; defaultRule?: ParsedRule } {
  const properties = readFields(el, SUBSCRIPTION_ROOT, SUBSCRIPTION_FIELDS, SUBSCRIPTION_IGNORED) as Partial<SubscriptionProperties>;
  const d = el.DefaultRuleDescription;
  if (d === undefined) return { properties };
  if (d !== '' && !isXmlObject(d)) throw new HttpError(400, `<${SUBSCRIPTION_ROOT}/DefaultRuleDescription> is malformed.`);
  return { properties, defaultRule: readRule(d === '' ? {} : d, `${SUBSCRIPTION_ROOT}/DefaultRuleDescription`) };
}

export function subscriptionXml(v: SubscriptionView, sbBase: string): XmlObject {
  const p = v.properties;
  const x: XmlObject = {
    [`${ATTR}xmlns`]: NS_SB,
    [`${ATTR}xmlns:i`]: NS_XSI,
    LockDuration: formatDuration(p.lockDurationMs),
    RequiresSession: bool(p.requiresSession),
    DefaultMessageTimeToLive: formatDuration(p.defaultMessageTimeToLiveMs),
    DeadLetteringOnMessageExpiration: bool(p.deadLetteringOnMessageExpiration),
    DeadLetteringOnFilterEvaluationExceptions: bool(p.deadLetteringOnFilterEvaluationExceptions),
    MessageCount: String(v.runtime.totalMessageCount),
    MaxDeliveryCount: String(p.maxDeliveryCount),
    EnableBatchedOperations: bool(p.enableBatchedOperations),
    Status: p.status,
  };
  optional(x, 'ForwardTo', forwardAddress(sbBase, p.forwardTo));
  optional(x, 'UserMetadata', p.userMetadata);
  Object.assign(x, {
    ...timesXml(v.times),
    CountDetails: countDetailsXml(v.runtime),
  });
  optional(x, 'ForwardDeadLetteredMessagesTo', forwardAddress(sbBase, p.forwardDeadLetteredMessagesTo));
  Object.assign(x, {
    AutoDeleteOnIdle: formatDuration(p.autoDeleteOnIdleMs),
    EntityAvailabilityStatus: 'Available',
  });
  return x;
}
