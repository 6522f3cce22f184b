/** SubscriptionDescription <-> SubscriptionProperties (serializers/subscriptionResourceSerializer.js in the JS SDK). */
import type { SubscriptionView } from '../../broker/api.js';
import type { SubscriptionProperties } from '../../broker/types.js';
import { HttpError } from '../errors.js';
import { isXmlObject, type XmlObject } from '../xml.js';
import { clearableOf, countDetailsXml, fieldsOf, type FieldSpec, ignoredOf, readFields } from './common.js';
import { descriptionXml, timeElements } from './description.js';
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

/** `sbBase` is `sb://host[:port]/`, the prefix of ForwardTo values in responses (as Azure writes them). */
export function subscriptionXml(v: SubscriptionView, sbBase: string): XmlObject {
  return descriptionXml('subscription', v.properties, sbBase, [
    'LockDuration', 'RequiresSession', 'DefaultMessageTimeToLive', 'DeadLetteringOnMessageExpiration', 'DeadLetteringOnFilterEvaluationExceptions',
    ['MessageCount', String(v.runtime.totalMessageCount)],
    'MaxDeliveryCount', 'EnableBatchedOperations', 'Status', 'ForwardTo', 'UserMetadata',
    ...timeElements(v.times),
    ['CountDetails', countDetailsXml(v.runtime)],
    'ForwardDeadLetteredMessagesTo', 'AutoDeleteOnIdle',
    ['EntityAvailabilityStatus', 'Available'],
  ]);
}
