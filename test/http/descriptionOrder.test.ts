/**
 * The elements of each description in a response, in Azure's order: optional ones (ForwardTo,
 * UserMetadata, ForwardDeadLetteredMessagesTo) only when set, everything else always.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  h.broker.createQueue('plain-q');
  h.broker.createQueue('full-q', { forwardTo: 'plain-q', forwardDeadLetteredMessagesTo: 'plain-q', userMetadata: 'm' });
  h.broker.createTopic('t', { userMetadata: 'm' });
  h.broker.createSubscription('t', 'plain-s');
  h.broker.createSubscription('t', 'full-s', { forwardTo: 'plain-q', forwardDeadLetteredMessagesTo: 'plain-q', userMetadata: 'm' });
});

/** The child element names of the description inside the entry's content, in document order. */
async function elementsOf(url: string, root: string): Promise<string[]> {
  const r = await h.request({ method: 'GET', url: `${url}?api-version=2021-05` });
  expect(r.statusCode).toBe(200);
  const inner = new RegExp(`<${root}[^>]*>([\\s\\S]*)</${root}>`).exec(r.body)![1]!;
  const names: string[] = [];
  let depth = 0;
  for (const [, close, name, selfClosing] of inner.matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
    if (close) depth--;
    else {
      if (depth === 0) names.push(name!);
      if (!selfClosing) depth++;
    }
  }
  return names;
}

const QUEUE = [
  'LockDuration', 'MaxSizeInMegabytes', 'RequiresDuplicateDetection', 'RequiresSession', 'DefaultMessageTimeToLive',
  'DeadLetteringOnMessageExpiration', 'DuplicateDetectionHistoryTimeWindow', 'MaxDeliveryCount', 'EnableBatchedOperations',
  'SizeInBytes', 'MessageCount', 'IsAnonymousAccessible', 'AuthorizationRules', 'Status', 'ForwardTo', 'UserMetadata',
  'CreatedAt', 'UpdatedAt', 'AccessedAt', 'SupportOrdering', 'CountDetails', 'AutoDeleteOnIdle', 'EnablePartitioning',
  'EntityAvailabilityStatus', 'ForwardDeadLetteredMessagesTo', 'EnableExpress', 'MaxMessageSizeInKilobytes',
];
const SUBSCRIPTION = [
  'LockDuration', 'RequiresSession', 'DefaultMessageTimeToLive', 'DeadLetteringOnMessageExpiration', 'DeadLetteringOnFilterEvaluationExceptions',
  'MessageCount', 'MaxDeliveryCount', 'EnableBatchedOperations', 'Status', 'ForwardTo', 'UserMetadata', 'CreatedAt', 'UpdatedAt',
  'AccessedAt', 'CountDetails', 'ForwardDeadLetteredMessagesTo', 'AutoDeleteOnIdle', 'EntityAvailabilityStatus',
];
const TOPIC = [
  'DefaultMessageTimeToLive', 'MaxSizeInMegabytes', 'RequiresDuplicateDetection', 'DuplicateDetectionHistoryTimeWindow', 'EnableBatchedOperations',
  'SizeInBytes', 'FilteringMessagesBeforePublishing', 'IsAnonymousAccessible', 'AuthorizationRules', 'Status', 'UserMetadata',
  'CreatedAt', 'UpdatedAt', 'AccessedAt', 'SupportOrdering', 'CountDetails', 'SubscriptionCount', 'AutoDeleteOnIdle',
  'EnablePartitioning', 'EntityAvailabilityStatus', 'EnableSubscriptionPartitioning', 'EnableExpress', 'MaxMessageSizeInKilobytes',
];
const OPTIONAL = ['ForwardTo', 'UserMetadata', 'ForwardDeadLetteredMessagesTo'];
const without = (names: string[], left: string[]) => names.filter((n) => !left.includes(n));

describe('descriptions in responses', () => {
  it('queue: every element in Azure order, the optional ones only when set', async () => {
    expect(await elementsOf('/full-q', 'QueueDescription')).toEqual(QUEUE);
    expect(await elementsOf('/plain-q', 'QueueDescription')).toEqual(without(QUEUE, OPTIONAL));
  });

  it('subscription: every element in Azure order, the optional ones only when set', async () => {
    expect(await elementsOf('/t/Subscriptions/full-s', 'SubscriptionDescription')).toEqual(SUBSCRIPTION);
    expect(await elementsOf('/t/Subscriptions/plain-s', 'SubscriptionDescription')).toEqual(without(SUBSCRIPTION, OPTIONAL));
  });

  it('topic: every element in Azure order', async () => {
    expect(await elementsOf('/t', 'TopicDescription')).toEqual(TOPIC);
  });
});
