import { beforeEach, describe, expect, it } from 'vitest';
import { ATOM_CT, queueBody, subscriptionBody, topicBody } from './support/bodies.js';
import { makeHarness, type Harness } from './support/harness.js';
import { buildTopic, errorOf, sdkEntry, sdkFeed } from './support/sdkShape.js';

const T = ['TopicName'];
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
const put = (url: string, body: string, headers: Record<string, string> = {}) =>
  h.request({ method: 'PUT', url, payload: body, headers: { ...ATOM_CT, ...headers } });

describe('topics', () => {
  it('create: 201 with every element the SDK requires, SubscriptionCount and CountDetails', async () => {
    const r = await put(
      '/orders?api-version=2021-05',
      topicBody({ DefaultMessageTimeToLive: 'PT1H', MaxSizeInMegabytes: 5120, SupportOrdering: false, UserMetadata: 'meta' }),
    );
    expect(r.statusCode).toBe(201);
    const t = buildTopic(sdkEntry(r.body, T));
    expect(t).toMatchObject({
      name: 'orders',
      defaultMessageTimeToLive: 'PT1H',
      maxSizeInMegabytes: 5120,
      supportOrdering: false,
      userMetadata: 'meta',
      enablePartitioning: false,
      enableBatchedOperations: true,
      requiresDuplicateDetection: false,
      duplicateDetectionHistoryTimeWindow: 'PT10M',
      status: 'Active',
      enableExpress: false,
      maxMessageSizeInKilobytes: 256,
    });
    expect(t.runtime).toMatchObject({ sizeInBytes: 0, subscriptionCount: 0, scheduledMessageCount: 0 });
    expect(h.broker.getTopic('orders').properties).toMatchObject({ defaultMessageTimeToLiveMs: 3_600_000, maxSizeInMegabytes: 5120 });
  });

  it('get (case-insensitive), SubscriptionCount follows subscriptions', async () => {
    await put('/Orders', topicBody());
    await put('/orders/Subscriptions/s1', subscriptionBody());
    await put('/orders/Subscriptions/s2', subscriptionBody());
    const r = await h.request({ method: 'GET', url: '/ORDERS?api-version=2021-05' });
    expect(r.statusCode).toBe(200);
    const t = buildTopic(sdkEntry(r.body, T));
    expect(t.name).toBe('Orders');
    expect(t.runtime.subscriptionCount).toBe(2);
  });

  it('update with If-Match: * (200), 404 when missing', async () => {
    await put('/t', topicBody());
    const r = await put('/t', topicBody({ MaxSizeInMegabytes: 2048, Status: 'Disabled' }), { 'if-match': '*' });
    expect(r.statusCode).toBe(200);
    expect(buildTopic(sdkEntry(r.body, T))).toMatchObject({ maxSizeInMegabytes: 2048, status: 'Disabled' });
    expect((await put('/none', topicBody(), { 'if-match': '*' })).statusCode).toBe(404);
  });

  it('409 on a duplicate topic, or over a queue of the same name', async () => {
    await put('/t', topicBody());
    const r = await put('/T', topicBody());
    expect(r.statusCode).toBe(409);
    expect(errorOf(r.body).code).toBe('409');
    await put('/q', queueBody());
    expect((await put('/q', topicBody())).statusCode).toBe(409);
  });

  it('refuses queue-only elements in a TopicDescription', async () => {
    const r = await put('/t', topicBody({ LockDuration: 'PT1M' }));
    expect(r.statusCode).toBe(400);
    expect(errorOf(r.body).detail).toMatch(/Unknown element <LockDuration> in <TopicDescription>/);
  });

  it('list with paging, delete', async () => {
    for (const n of ['t3', 't1', 't2']) await put(`/${n}`, topicBody());
    const p = sdkFeed((await h.request({ method: 'GET', url: '/$Resources/Topics?api-version=2021-05&$top=2' })).body, T);
    expect(p.items.map((i) => buildTopic(i).name)).toEqual(['t1', 't2']);
    expect(p.nextSkip).toBe('2');
    expect((await h.request({ method: 'GET', url: '/$resources/topics?$skip=2' })).body).toContain('<title type="text">t3</title>');
    expect((await h.request({ method: 'DELETE', url: '/t2' })).statusCode).toBe(200);
    expect((await h.request({ method: 'GET', url: '/t2' })).statusCode).toBe(404);
    // Queues and topics are listed apart.
    await put('/a-queue', queueBody());
    expect(sdkFeed((await h.request({ method: 'GET', url: '/$Resources/Topics' })).body, T).items).toHaveLength(2);
  });
});
