/** QueueDescription <-> QueueProperties (serializers/queueResourceSerializer.js in the JS SDK). */
import type { QueueView } from '../../broker/api.js';
import type { QueueProperties } from '../../broker/types.js';
import type { XmlObject } from '../xml.js';
import { clearableOf, countDetailsXml, fieldsOf, type FieldSpec, ignoredOf, readFields } from './common.js';
import { descriptionXml, timeElements } from './description.js';

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
  const r = v.runtime;
  return descriptionXml('queue', v.properties, sbBase, [
    'LockDuration', 'MaxSizeInMegabytes', 'RequiresDuplicateDetection', 'RequiresSession', 'DefaultMessageTimeToLive',
    'DeadLetteringOnMessageExpiration', 'DuplicateDetectionHistoryTimeWindow', 'MaxDeliveryCount', 'EnableBatchedOperations',
    ['SizeInBytes', String(r.sizeInBytes)],
    ['MessageCount', String(r.totalMessageCount)],
    ['IsAnonymousAccessible', 'false'],
    'AuthorizationRules', 'Status', 'ForwardTo', 'UserMetadata',
    ...timeElements(v.times),
    ['SupportOrdering', 'true'],
    ['CountDetails', countDetailsXml(r)],
    'AutoDeleteOnIdle', 'EnablePartitioning',
    ['EntityAvailabilityStatus', 'Available'],
    'ForwardDeadLetteredMessagesTo', 'EnableExpress', 'MaxMessageSizeInKilobytes',
  ]);
}
