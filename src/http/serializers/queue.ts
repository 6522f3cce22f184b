/** QueueDescription <-> QueueProperties (serializers/queueResourceSerializer.js in the JS SDK). */
import type { QueueView } from '../../broker/api.js';
import type { QueueProperties } from '../../broker/types.js';
import { formatDuration } from '../duration.js';
import { ATTR, NS_SB, NS_XSI, type XmlObject } from '../xml.js';
import { authorizationRulesXml } from './authorizationRules.js';
import { bool, clearableOf, countDetailsXml, fieldsOf, type FieldSpec, forwardAddress, ignoredOf, optional, readFields, timesXml } from './common.js';

export const QUEUE_ROOT = 'QueueDescription';

/** Settable elements (the property catalogue). */
export const QUEUE_FIELDS: readonly FieldSpec[] = fieldsOf('queue');

/** Read-only elements clients echo back on update. */
export const QUEUE_IGNORED: ReadonlySet<string> = ignoredOf('queue');

export const QUEUE_CLEARABLE = clearableOf('queue');

export function readQueue(el: XmlObject): Partial<QueueProperties> {
  return readFields(el, QUEUE_ROOT, QUEUE_FIELDS, QUEUE_IGNORED) as Partial<QueueProperties>;
}

/** `sbBase` is `sb://host[:port]/`, the prefix of ForwardTo values in responses (as Azure writes them). */
export function queueXml(v: QueueView, sbBase: string): XmlObject {
  const p = v.properties;
  const x: XmlObject = {
    [`${ATTR}xmlns`]: NS_SB,
    [`${ATTR}xmlns:i`]: NS_XSI,
    LockDuration: formatDuration(p.lockDurationMs),
    MaxSizeInMegabytes: String(p.maxSizeInMegabytes),
    RequiresDuplicateDetection: bool(p.requiresDuplicateDetection),
    RequiresSession: bool(p.requiresSession),
    DefaultMessageTimeToLive: formatDuration(p.defaultMessageTimeToLiveMs),
    DeadLetteringOnMessageExpiration: bool(p.deadLetteringOnMessageExpiration),
    DuplicateDetectionHistoryTimeWindow: formatDuration(p.duplicateDetectionHistoryTimeWindowMs),
    MaxDeliveryCount: String(p.maxDeliveryCount),
    EnableBatchedOperations: bool(p.enableBatchedOperations),
    SizeInBytes: String(v.runtime.sizeInBytes),
    MessageCount: String(v.runtime.totalMessageCount),
    IsAnonymousAccessible: 'false',
    AuthorizationRules: authorizationRulesXml(p.authorizationRules),
    Status: p.status,
  };
  optional(x, 'ForwardTo', forwardAddress(sbBase, p.forwardTo));
  optional(x, 'UserMetadata', p.userMetadata);
  Object.assign(x, {
    ...timesXml(v.times),
    SupportOrdering: 'true',
    CountDetails: countDetailsXml(v.runtime),
    AutoDeleteOnIdle: formatDuration(p.autoDeleteOnIdleMs),
    EnablePartitioning: bool(p.enablePartitioning),
    EntityAvailabilityStatus: 'Available',
  });
  optional(x, 'ForwardDeadLetteredMessagesTo', forwardAddress(sbBase, p.forwardDeadLetteredMessagesTo));
  x.EnableExpress = bool(p.enableExpress);
  x.MaxMessageSizeInKilobytes = String(p.maxMessageSizeInKilobytes);
  return x;
}
