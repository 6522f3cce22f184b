/**
 * What @azure/service-bus 7.9.5 does with a response body, replicated for inject tests:
 * atomXmlHelper.js (parseEntryResult / parseFeedResult / setName) and the required getters of
 * serializers/*ResourceSerializer.js and util/utils.js (getString, getInteger, getBoolean,
 * getDate, getMessageCountDetails with its single-xmlns-prefix rule). A missing element throws
 * here exactly where the SDK would throw.
 */
import { expect } from 'vitest';
import { parseLikeSdk, type Json } from './harness.js';

function need(v: Json, what: string): string {
  if (v === undefined || v === null) throw new Error(`"${what}" received from service expected to be defined`);
  return String(v);
}
const int = (v: Json, what: string): number => {
  const n = parseInt(need(v, what));
  if (Number.isNaN(n)) throw new Error(`"${what}" is not a number`);
  return n;
};
const bool = (v: Json, what: string): boolean => need(v, what).trim().toLowerCase() === 'true';
const date = (v: Json, what: string): Date => {
  const d = new Date(need(v, what));
  if (Number.isNaN(d.getTime())) throw new Error(`"${what}" is not a date`);
  return d;
};

/** utils.js getMessageCountDetails: exactly one attribute, an xmlns:prefix, children with it. */
export function countDetails(value: Json): Record<string, number> {
  if (!value?.$) throw new Error('CountDetails has no attributes');
  const keys = Object.keys(value.$);
  if (keys.length !== 1 || !keys[0]!.startsWith('xmlns:') || keys[0]!.length <= 6) throw new Error(`CountDetails attributes ${keys.join(',')}`);
  const p = keys[0]!.slice(6);
  return {
    activeMessageCount: parseInt(value[`${p}:ActiveMessageCount`]) || 0,
    deadLetterMessageCount: parseInt(value[`${p}:DeadLetterMessageCount`]) || 0,
    scheduledMessageCount: parseInt(value[`${p}:ScheduledMessageCount`]) || 0,
    transferMessageCount: parseInt(value[`${p}:TransferMessageCount`]) || 0,
    transferDeadLetterMessageCount: parseInt(value[`${p}:TransferDeadLetterMessageCount`]) || 0,
  };
}

/** atomXmlHelper.js parseEntryResult + setName. */
function entryResult(entry: Json, names: string[]): Json {
  expect(typeof entry.content).toBe('object');
  const contentKeys = Object.keys(entry.content).filter((k) => k !== '$');
  // The SDK takes the *first* key: a whitespace text node here would break it.
  expect(contentKeys).toHaveLength(1);
  const root = contentKeys[0]!;
  const result = { ...entry.content[root] };
  delete result.$;
  const id: string = entry.id;
  const pathname = new URL(id.startsWith('sb://') ? `https://${id.slice(5)}` : id).pathname;
  const first = pathname.indexOf('/');
  if (/(.*)\/(.*)\/Subscriptions\/(.*)\/Rules\/(.*)/.test(pathname)) {
    const s = pathname.lastIndexOf('/Subscriptions/');
    const r = pathname.indexOf('/Rules/');
    result[names[0]!] = pathname.substring(first + 1, s);
    result[names[1]!] = pathname.substring(s + 15, r);
    result[names[2]!] = pathname.substring(r + 7);
  } else if (/(.*)\/(.*)\/Subscriptions\/(.*)/.test(pathname)) {
    const s = pathname.lastIndexOf('/Subscriptions/');
    result[names[0]!] = pathname.substring(first + 1, s);
    result[names[1]!] = pathname.substring(s + 15);
  } else {
    result[names[0]!] = pathname.substring(first + 1);
  }
  result.__root = root;
  result.__title = typeof entry.title === 'object' ? entry.title._ : entry.title;
  return result;
}

export function sdkEntry(xml: string, names: string[]): Json {
  const doc = parseLikeSdk(xml);
  expect(doc.entry, 'an <entry> document').toBeDefined();
  return entryResult(doc.entry, names);
}

export function sdkFeed(xml: string, names: string[]): { items: Json[]; nextSkip: string | undefined } {
  const doc = parseLikeSdk(xml);
  expect(doc.feed, 'a <feed> document').toBeDefined();
  const feed = doc.feed;
  const entries = feed.entry === undefined ? [] : Array.isArray(feed.entry) ? feed.entry : [feed.entry];
  // parseLinkInfo only looks at an array of links.
  let next: string | undefined;
  if (Array.isArray(feed.link)) for (const l of feed.link) if (l.$.rel === 'next') next = l.$.href;
  return { items: entries.map((e: Json) => entryResult(e, names)), nextSkip: next ? (new URL(next).searchParams.get('$skip') ?? undefined) : undefined };
}

/** queueResourceSerializer.js buildQueue + buildQueueRuntimeProperties. */
export function buildQueue(raw: Json) {
  return {
    name: need(raw.QueueName, 'queueName'),
    forwardTo: raw.ForwardTo,
    userMetadata: raw.UserMetadata,
    lockDuration: need(raw.LockDuration, 'lockDuration'),
    maxSizeInMegabytes: int(raw.MaxSizeInMegabytes, 'maxSizeInMegabytes'),
    maxDeliveryCount: int(raw.MaxDeliveryCount, 'maxDeliveryCount'),
    enablePartitioning: bool(raw.EnablePartitioning, 'enablePartitioning'),
    requiresSession: bool(raw.RequiresSession, 'requiresSession'),
    enableBatchedOperations: bool(raw.EnableBatchedOperations, 'enableBatchedOperations'),
    defaultMessageTimeToLive: need(raw.DefaultMessageTimeToLive, 'defaultMessageTimeToLive'),
    autoDeleteOnIdle: raw.AutoDeleteOnIdle,
    requiresDuplicateDetection: bool(raw.RequiresDuplicateDetection, 'requiresDuplicateDetection'),
    duplicateDetectionHistoryTimeWindow: need(raw.DuplicateDetectionHistoryTimeWindow, 'duplicateDetectionHistoryTimeWindow'),
    deadLetteringOnMessageExpiration: bool(raw.DeadLetteringOnMessageExpiration, 'deadLetteringOnMessageExpiration'),
    forwardDeadLetteredMessagesTo: raw.ForwardDeadLetteredMessagesTo,
    status: raw.Status,
    enableExpress: bool(raw.EnableExpress, 'enableExpress'),
    availabilityStatus: raw.EntityAvailabilityStatus,
    maxMessageSizeInKilobytes: raw.MaxMessageSizeInKilobytes === undefined ? undefined : parseInt(raw.MaxMessageSizeInKilobytes),
    runtime: {
      sizeInBytes: parseInt(raw.SizeInBytes),
      totalMessageCount: parseInt(raw.MessageCount),
      ...countDetails(raw.CountDetails),
      createdAt: date(raw.CreatedAt, 'createdAt'),
      modifiedAt: date(raw.UpdatedAt, 'modifiedAt'),
      accessedAt: date(raw.AccessedAt, 'accessedAt'),
    },
  };
}

/** topicResourceSerializer.js buildTopic + buildTopicRuntimeProperties. */
export function buildTopic(raw: Json) {
  return {
    name: need(raw.TopicName, 'topicName'),
    maxSizeInMegabytes: int(raw.MaxSizeInMegabytes, 'maxSizeInMegabytes'),
    enablePartitioning: bool(raw.EnablePartitioning, 'enablePartitioning'),
    supportOrdering: bool(raw.SupportOrdering, 'supportOrdering'),
    enableBatchedOperations: bool(raw.EnableBatchedOperations, 'enableBatchedOperations'),
    defaultMessageTimeToLive: need(raw.DefaultMessageTimeToLive, 'defaultMessageTimeToLive'),
    autoDeleteOnIdle: raw.AutoDeleteOnIdle,
    requiresDuplicateDetection: bool(raw.RequiresDuplicateDetection, 'requiresDuplicateDetection'),
    duplicateDetectionHistoryTimeWindow: need(raw.DuplicateDetectionHistoryTimeWindow, 'duplicateDetectionHistoryTimeWindow'),
    userMetadata: raw.UserMetadata,
    status: raw.Status,
    enableExpress: bool(raw.EnableExpress, 'enableExpress'),
    availabilityStatus: raw.EntityAvailabilityStatus,
    maxMessageSizeInKilobytes: raw.MaxMessageSizeInKilobytes === undefined ? undefined : parseInt(raw.MaxMessageSizeInKilobytes),
    runtime: {
      sizeInBytes: parseInt(raw.SizeInBytes),
      subscriptionCount: parseInt(raw.SubscriptionCount),
      scheduledMessageCount: countDetails(raw.CountDetails).scheduledMessageCount,
      createdAt: date(raw.CreatedAt, 'createdAt'),
      modifiedAt: date(raw.UpdatedAt, 'modifiedAt'),
      accessedAt: date(raw.AccessedAt, 'accessedAt'),
    },
  };
}

/** subscriptionResourceSerializer.js buildSubscription + buildSubscriptionRuntimeProperties. */
export function buildSubscription(raw: Json) {
  return {
    subscriptionName: need(raw.SubscriptionName, 'subscriptionName'),
    topicName: need(raw.TopicName, 'topicName'),
    lockDuration: need(raw.LockDuration, 'lockDuration'),
    maxDeliveryCount: int(raw.MaxDeliveryCount, 'maxDeliveryCount'),
    requiresSession: bool(raw.RequiresSession, 'requiresSession'),
    enableBatchedOperations: bool(raw.EnableBatchedOperations, 'enableBatchedOperations'),
    defaultMessageTimeToLive: need(raw.DefaultMessageTimeToLive, 'defaultMessageTimeToLive'),
    autoDeleteOnIdle: need(raw.AutoDeleteOnIdle, 'autoDeleteOnIdle'),
    deadLetteringOnMessageExpiration: bool(raw.DeadLetteringOnMessageExpiration, 'deadLetteringOnMessageExpiration'),
    deadLetteringOnFilterEvaluationExceptions: bool(raw.DeadLetteringOnFilterEvaluationExceptions, 'deadLetteringOnFilterEvaluationExceptions'),
    forwardDeadLetteredMessagesTo: raw.ForwardDeadLetteredMessagesTo,
    forwardTo: raw.ForwardTo,
    userMetadata: raw.UserMetadata,
    status: need(raw.Status, 'status'),
    availabilityStatus: need(raw.EntityAvailabilityStatus, 'availabilityStatus'),
    runtime: {
      totalMessageCount: int(raw.MessageCount, 'messageCount'),
      ...countDetails(raw.CountDetails),
      createdAt: date(raw.CreatedAt, 'createdAt'),
      modifiedAt: date(raw.UpdatedAt, 'modifiedAt'),
      accessedAt: date(raw.AccessedAt, 'accessedAt'),
    },
  };
}

/** ruleResourceSerializer.js getKeyValuePairsOrUndefined. */
function keyValues(value: Json): Record<string, unknown> | undefined {
  if (!value) return undefined;
  const raw = value.KeyValueOfstringanyType;
  const list = !Array.isArray(raw) && raw?.Key ? [raw] : raw;
  if (!Array.isArray(list)) throw new TypeError('key-value pairs are not an array');
  const out: Record<string, unknown> = {};
  for (const p of list) {
    const v = p.Value._;
    const type = String(p.Value.$['i:type']).substring(5);
    if (type === 'int' || type === 'double') out[p.Key] = Number(v);
    else if (type === 'string') out[p.Key] = v;
    else if (type === 'boolean') out[p.Key] = v === 'true';
    else if (type === 'dateTime') out[p.Key] = new Date(v);
    else throw new TypeError(`Unable to parse the key-value pairs in the response - ${JSON.stringify(p)}`);
  }
  return out;
}

/** ruleResourceSerializer.js buildRule. */
export function buildRule(raw: Json) {
  const f = raw.Filter;
  const filter =
    f.SqlExpression !== undefined
      ? { sqlExpression: f.SqlExpression, sqlParameters: keyValues(f.Parameters) }
      : {
          correlationId: f.CorrelationId,
          subject: f.Label,
          to: f.To,
          replyTo: f.ReplyTo,
          replyToSessionId: f.ReplyToSessionId,
          sessionId: f.SessionId,
          messageId: f.MessageId,
          contentType: f.ContentType,
          applicationProperties: keyValues(f.Properties),
        };
  return {
    name: need(raw.RuleName, 'ruleName'),
    filter,
    action: { sqlExpression: raw.Action.SqlExpression, sqlParameters: keyValues(raw.Action.Parameters) },
    filterType: f.$?.['i:type'] as string | undefined,
    actionType: raw.Action.$?.['i:type'] as string | undefined,
  };
}

/** namespaceResourceSerializer.js buildNamespace. */
export function buildNamespace(raw: Json) {
  const messagingSku = need(raw.MessagingSKU, 'messagingSku');
  return {
    createdAt: date(raw.CreatedTime, 'createdAt'),
    messagingSku,
    modifiedAt: date(raw.ModifiedTime, 'modifiedAt'),
    name: need(raw.Name, 'name'),
    messagingUnits: messagingSku === 'Premium' ? int(raw.MessagingUnits, 'messagingUnits') : undefined,
  };
}

/** The `<Error>` document: status code and detail. */
export function errorOf(xml: string): { code: string; detail: string } {
  const doc = parseLikeSdk(xml);
  expect(doc.Error, `an <Error> document, got ${xml.slice(0, 200)}`).toBeDefined();
  return { code: String(doc.Error.Code), detail: String(doc.Error.Detail) };
}
