/** TopicDescription <-> TopicProperties (serializers/topicResourceSerializer.js in the JS SDK). */
import type { TopicView } from '../../broker/api.js';
import type { TopicProperties } from '../../broker/types.js';
import { formatDuration } from '../duration.js';
import { ATTR, NS_SB, NS_XSI, type XmlObject } from '../xml.js';
import { authorizationRulesXml } from './authorizationRules.js';
import { bool, clearableOf, countDetailsXml, fieldsOf, type FieldSpec, ignoredOf, optional, readFields, timesXml } from './common.js';

export const TOPIC_ROOT = 'TopicDescription';

/** Settable elements (the property catalogue). */
export const TOPIC_FIELDS: readonly FieldSpec[] = fieldsOf('topic');

/** Read-only elements clients echo back on update. */
export const TOPIC_IGNORED: ReadonlySet<string> = ignoredOf('topic');

export const TOPIC_CLEARABLE = clearableOf('topic');

export function readTopic(el: XmlObject): Partial<TopicProperties> {
  return readFields(el, TOPIC_ROOT, TOPIC_FIELDS, TOPIC_IGNORED) as Partial<TopicProperties>;
}

export function topicXml(v: TopicView): XmlObject {
  const p = v.properties;
  const x: XmlObject = {
    [`${ATTR}xmlns`]: NS_SB,
    [`${ATTR}xmlns:i`]: NS_XSI,
    DefaultMessageTimeToLive: formatDuration(p.defaultMessageTimeToLiveMs),
    MaxSizeInMegabytes: String(p.maxSizeInMegabytes),
    RequiresDuplicateDetection: bool(p.requiresDuplicateDetection),
    DuplicateDetectionHistoryTimeWindow: formatDuration(p.duplicateDetectionHistoryTimeWindowMs),
    EnableBatchedOperations: bool(p.enableBatchedOperations),
    SizeInBytes: String(v.runtime.sizeInBytes),
    FilteringMessagesBeforePublishing: 'false',
    IsAnonymousAccessible: 'false',
    AuthorizationRules: authorizationRulesXml(p.authorizationRules),
    Status: p.status,
  };
  optional(x, 'UserMetadata', p.userMetadata);
  Object.assign(x, {
    ...timesXml(v.times),
    SupportOrdering: bool(p.supportOrdering),
    CountDetails: countDetailsXml({
      activeMessageCount: 0,
      deadLetterMessageCount: 0,
      scheduledMessageCount: v.runtime.scheduledMessageCount,
      transferMessageCount: 0,
      transferDeadLetterMessageCount: 0,
    }),
    SubscriptionCount: String(v.runtime.subscriptionCount),
    AutoDeleteOnIdle: formatDuration(p.autoDeleteOnIdleMs),
    EnablePartitioning: bool(p.enablePartitioning),
    EntityAvailabilityStatus: 'Available',
    EnableSubscriptionPartitioning: 'false',
    EnableExpress: bool(p.enableExpress),
    MaxMessageSizeInKilobytes: String(p.maxMessageSizeInKilobytes),
  });
  return x;
}
