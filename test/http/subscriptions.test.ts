import { beforeEach, describe, expect, it } from 'vitest';
import { ATOM_CT, correlationFilter, kv, sqlAction, subscriptionBody, topicBody } from './support/bodies.js';
import { makeHarness, type Harness } from './support/harness.js';
import { buildSubscription, errorOf, sdkEntry, sdkFeed } from './support/sdkShape.js';

const S = ['TopicName', 'SubscriptionName'];
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await h.request({ method: 'PUT', url: '/Topic1', payload: topicBody(), headers: ATOM_CT });
});
const put = (url: string, body: string, headers: Record<string, string> = {}) =>
  h.request({ method: 'PUT', url, payload: body, headers: { ...ATOM_CT, ...headers } });

describe('subscriptions', () => {
  it('create: 201, the id carries topic and subscription names, every required element present', async () => {
    const r = await put(
      '/topic1/Subscriptions/sub.1?api-version=2021-05',
      subscriptionBody({ LockDuration: 'PT2M', RequiresSession: true, MaxDeliveryCount: 5, DeadLetteringOnFilterEvaluationExceptions: false }),
    );
    expect(r.statusCode).toBe(201);
    expect(r.body).toContain('/Topic1/Subscriptions/sub.1?api-version=2021-05</id>');
    const s = buildSubscription(sdkEntry(r.body, S));
    expect(s).toMatchObject({
      topicName: 'Topic1',
      subscriptionName: 'sub.1',
      lockDuration: 'PT2M',
      requiresSession: true,
      maxDeliveryCount: 5,
      deadLetteringOnFilterEvaluationExceptions: false,
      deadLetteringOnMessageExpiration: false,
      enableBatchedOperations: true,
      defaultMessageTimeToLive: 'P10675199DT2H48M5.4775807S',
      autoDeleteOnIdle: 'P10675199DT2H48M5.4775807S',
      status: 'Active',
      availabilityStatus: 'Available',
    });
    expect(s.runtime).toMatchObject({ totalMessageCount: 0, activeMessageCount: 0 });
    expect(h.broker.listRules('topic1', 'sub.1').map((x) => x.name)).toEqual(['$Default']);
  });

  it('create with a DefaultRuleDescription (correlation filter, SQL action)', async () => {
    const rule =
      '<DefaultRuleDescription>' +
      correlationFilter({ CorrelationId: 'order-1', Label: 'created' }, kv('region', 'string', 'eu') + kv('priority', 'double', '2')) +
      sqlAction('SET sys.label = \'seen\'') +
      '<Name>only-eu</Name></DefaultRuleDescription>';
    const r = await put('/Topic1/Subscriptions/eu', subscriptionBody({ MaxDeliveryCount: 3 }, rule));
    expect(r.statusCode).toBe(201);
    expect(h.broker.listRules('Topic1', 'eu')).toEqual([
      {
        name: 'only-eu',
        // A double holding a whole number keeps its declared type, to read back as a double.
        filter: { type: 'correlation', correlationId: 'order-1', subject: 'created', properties: { region: 'eu', priority: 2 }, propertyTypes: { priority: 'double' } },
        action: { type: 'sql', expression: "SET sys.label = 'seen'" },
        createdAt: h.clock.now(),
      },
    ]);
  });

  it('get, update (If-Match), list with paging, delete', async () => {
    for (const n of ['b', 'a', 'c']) await put(`/Topic1/Subscriptions/${n}`, subscriptionBody());
    const g = await h.request({ method: 'GET', url: '/TOPIC1/subscriptions/A?api-version=2021-05' });
    expect(g.statusCode).toBe(200);
    expect(buildSubscription(sdkEntry(g.body, S))).toMatchObject({ topicName: 'Topic1', subscriptionName: 'a' });

    const u = await put('/Topic1/Subscriptions/a', subscriptionBody({ MaxDeliveryCount: 9, UserMetadata: 'x' }), { 'if-match': '*' });
    expect(u.statusCode).toBe(200);
    expect(buildSubscription(sdkEntry(u.body, S))).toMatchObject({ maxDeliveryCount: 9, userMetadata: 'x' });

    const p1 = sdkFeed((await h.request({ method: 'GET', url: '/Topic1/Subscriptions/?api-version=2021-05&$top=2' })).body, S);
    expect(p1.items.map((i) => buildSubscription(i).subscriptionName)).toEqual(['a', 'b']);
    expect(p1.items.every((i) => i.TopicName === 'Topic1')).toBe(true);
    expect(p1.nextSkip).toBe('2');
    const p2 = sdkFeed((await h.request({ method: 'GET', url: '/topic1/subscriptions?$skip=2&$top=2' })).body, S);
    expect(p2.items.map((i) => i.SubscriptionName)).toEqual(['c']);

    expect((await h.request({ method: 'DELETE', url: '/Topic1/Subscriptions/b' })).statusCode).toBe(200);
    expect((await h.request({ method: 'GET', url: '/Topic1/Subscriptions/b' })).statusCode).toBe(404);
  });

  it('404 for a missing topic or subscription; 409 for a duplicate', async () => {
    expect((await put('/nope/Subscriptions/s', subscriptionBody())).statusCode).toBe(404);
    expect((await h.request({ method: 'GET', url: '/nope/Subscriptions/' })).statusCode).toBe(404);
    expect((await h.request({ method: 'GET', url: '/Topic1/Subscriptions/none' })).statusCode).toBe(404);
    expect((await h.request({ method: 'DELETE', url: '/Topic1/Subscriptions/none' })).statusCode).toBe(404);
    expect((await put('/Topic1/Subscriptions/s', subscriptionBody(), { 'if-match': '*' })).statusCode).toBe(404);
    await put('/Topic1/Subscriptions/s', subscriptionBody());
    const r = await put('/Topic1/Subscriptions/S', subscriptionBody());
    expect(r.statusCode).toBe(409);
    expect(errorOf(r.body).code).toBe('409');
  });

  it('works under a topic whose name has slashes', async () => {
    await put('/a/b', topicBody());
    const r = await put('/a/b/Subscriptions/s1', subscriptionBody());
    expect(r.statusCode).toBe(201);
    expect(buildSubscription(sdkEntry(r.body, S))).toMatchObject({ topicName: 'a/b', subscriptionName: 's1' });
  });

  it('400 for a subscription name with illegal characters or a slash-free limit breach', async () => {
    expect((await put('/Topic1/Subscriptions/bad*name', subscriptionBody())).statusCode).toBe(400);
    expect((await put(`/Topic1/Subscriptions/${'x'.repeat(51)}`, subscriptionBody())).statusCode).toBe(400);
  });

  it('refuses a QueueDescription body for a subscription', async () => {
    const r = await put('/Topic1/Subscriptions/s', '<entry xmlns="http://www.w3.org/2005/Atom"><content type="application/xml"><QueueDescription/></content></entry>');
    expect(r.statusCode).toBe(400);
    expect(errorOf(r.body).detail).toMatch(/expected SubscriptionDescription/);
  });
});
