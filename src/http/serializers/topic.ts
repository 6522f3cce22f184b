/** TopicDescription <-> TopicProperties (serializers/topicResourceSerializer.js in the JS SDK). */
import type { TopicView } from '../../broker/api.js';
import type { TopicProperties } from '../../broker/types.js';
import type { XmlObject } from '../xml.js';
import { clearableOf, countDetailsXml, fieldsOf, type FieldSpec, ignoredOf, readFields } from './common.js';
import { descriptionXml, timeElements } from './description.js';

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
  const r = v.runtime;
  const counts = { activeMessageCount: 0, deadLetterMessageCount: 0, scheduledMessageCount: r.scheduledMessageCount, transferMessageCount: 0, transferDeadLetterMessageCount: 0 };
  // Topics forward nothing, so no element needs the sb:// prefix.
  return descriptionXml('topic', v.properties, '', [
    'DefaultMessageTimeToLive', 'MaxSizeInMegabytes', 'RequiresDuplicateDetection', 'DuplicateDetectionHistoryTimeWindow', 'EnableBatchedOperations',
    ['SizeInBytes', String(r.sizeInBytes)],
    ['FilteringMessagesBeforePublishing', 'false'],
    ['IsAnonymousAccessible', 'false'],
    'AuthorizationRules', 'Status', 'UserMetadata',
    ...timeElements(v.times),
    'SupportOrdering',
    ['CountDetails', countDetailsXml(counts)],
    ['SubscriptionCount', String(r.subscriptionCount)],
    'AutoDeleteOnIdle', 'EnablePartitioning',
    ['EntityAvailabilityStatus', 'Available'],
    ['EnableSubscriptionPartitioning', 'false'],
    'EnableExpress', 'MaxMessageSizeInKilobytes',
  ]);
}
