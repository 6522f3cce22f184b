import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_DURATION_MS } from '../../src/broker/types.js';
import { ATOM_CT, queueBody, topicBody } from './support/bodies.js';
import { makeHarness, type Harness } from './support/harness.js';
import { buildQueue, errorOf, sdkEntry, sdkFeed } from './support/sdkShape.js';

const Q = ['QueueName'];
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});

const tutorial = {
  LockDuration: 'PT5M',
  RequiresSession: 'true',
  DefaultMessageTimeToLive: 'P14D',
  DeadLetteringOnMessageExpiration: 'true',
  MaxDeliveryCount: '10',
};

const put = (url: string, body: string, headers: Record<string, string> = {}) =>
  h.request({ method: 'PUT', url, payload: body, headers: { ...ATOM_CT, ...headers } });

describe('PUT /{queue} (create)', () => {
  it("creates a session queue with the tutorial's properties: 201 and an entry the SDK can read", async () => {
    const r = await put('/session-q?api-version=2021-05', queueBody(tutorial));
    expect(r.statusCode).toBe(201);
    expect(r.headers['content-type']).toBe('application/atom+xml;type=entry;charset=utf-8');
    const raw = sdkEntry(r.body, Q);
    expect(raw.__root).toBe('QueueDescription');
    expect(raw.__title).toBe('session-q');
    const q = buildQueue(raw);
    expect(q).toMatchObject({
      name: 'session-q',
      lockDuration: 'PT5M',
      requiresSession: true,
      defaultMessageTimeToLive: 'P14D',
      deadLetteringOnMessageExpiration: true,
      maxDeliveryCount: 10,
      maxSizeInMegabytes: 1024,
      enablePartitioning: false,
      enableBatchedOperations: true,
      requiresDuplicateDetection: false,
      duplicateDetectionHistoryTimeWindow: 'PT10M',
      autoDeleteOnIdle: 'P10675199DT2H48M5.4775807S',
      status: 'Active',
      availabilityStatus: 'Available',
      enableExpress: false,
      maxMessageSizeInKilobytes: 256,
    });
    expect(q.runtime).toMatchObject({ sizeInBytes: 0, totalMessageCount: 0, activeMessageCount: 0, deadLetterMessageCount: 0 });
    expect(q.runtime.createdAt.getTime()).toBe(h.clock.now());
    expect(h.broker.getQueue('session-q').properties).toMatchObject({
      lockDurationMs: 300_000,
      requiresSession: true,
      defaultMessageTimeToLiveMs: 14 * 86_400_000,
      deadLetteringOnMessageExpiration: true,
      maxDeliveryCount: 10,
    });
  });

  it('writes CountDetails with exactly one attribute, an xmlns prefix its children use', async () => {
    const r = await put('/q1', queueBody());
    expect(r.body).toMatch(
      /<CountDetails xmlns:d2p1="http:\/\/schemas\.microsoft\.com\/netservices\/2011\/06\/servicebus"><d2p1:ActiveMessageCount>0<\/d2p1:ActiveMessageCount>/,
    );
  });

  it('writes compact XML (no whitespace text nodes for @azure/core-xml to trip on)', async () => {
    const r = await put('/q1', queueBody());
    expect(r.body).not.toMatch(/>\s+</);
  });

  it('accepts every settable element, with TimeSpan.MaxValue and fractional durations', async () => {
    h.broker.createQueue('other');
    h.broker.createQueue('dlq-target');
    const r = await put(
      '/all-props',
      queueBody({
        LockDuration: 'PT30.5S',
        MaxSizeInMegabytes: 2048,
        RequiresDuplicateDetection: true,
        RequiresSession: false,
        DefaultMessageTimeToLive: 'P10675199DT2H48M5.4775807S',
        DeadLetteringOnMessageExpiration: false,
        DuplicateDetectionHistoryTimeWindow: 'PT1H',
        MaxDeliveryCount: 3,
        EnableBatchedOperations: false,
        AuthorizationRules: '',
        Status: 'SendDisabled',
        ForwardTo: 'sb://localhost:5300/other',
        UserMetadata: 'hello &amp; bye',
        AutoDeleteOnIdle: 'P7D',
        EnablePartitioning: true,
        ForwardDeadLetteredMessagesTo: 'dlq-target',
        EntityAvailabilityStatus: 'Available',
        EnableExpress: true,
        // Standard tier: only the size it has (256) is accepted.
        MaxMessageSizeInKilobytes: 256,
      }),
    );
    expect(r.statusCode).toBe(201);
    expect(h.broker.getQueue('all-props').properties).toEqual({
      lockDurationMs: 30_500,
      // Partitioned: 16 partitions of the requested size.
      maxSizeInMegabytes: 16 * 2048,
      requiresDuplicateDetection: true,
      requiresSession: false,
      defaultMessageTimeToLiveMs: MAX_DURATION_MS,
      deadLetteringOnMessageExpiration: false,
      duplicateDetectionHistoryTimeWindowMs: 3_600_000,
      maxDeliveryCount: 3,
      enableBatchedOperations: false,
      status: 'SendDisabled',
      forwardTo: 'other',
      userMetadata: 'hello & bye',
      autoDeleteOnIdleMs: 7 * 86_400_000,
      enablePartitioning: true,
      forwardDeadLetteredMessagesTo: 'dlq-target',
      enableExpress: true,
      maxMessageSizeInKilobytes: 256,
      authorizationRules: [],
    });
    const q = buildQueue(sdkEntry(r.body, Q));
    expect(q).toMatchObject({
      lockDuration: 'PT30.5S',
      defaultMessageTimeToLive: 'P10675199DT2H48M5.4775807S',
      forwardTo: 'sb://localhost:5300/other',
      forwardDeadLetteredMessagesTo: 'sb://localhost:5300/dlq-target',
      userMetadata: 'hello & bye',
      status: 'SendDisabled',
    });
  });

  it('409 with a Service Bus error when the queue exists (any case), or a topic has the name', async () => {
    expect((await put('/dup', queueBody())).statusCode).toBe(201);
    const r = await put('/DUP', queueBody());
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toMatch(/^application\/xml/);
    expect(errorOf(r.body)).toMatchObject({ code: '409', detail: expect.stringMatching(/already exists/) });
    expect((await put('/t-name', topicBody())).statusCode).toBe(201);
    expect((await put('/t-name', queueBody())).statusCode).toBe(409);
  });

  it('accepts names with slashes, periods, hyphens and underscores', async () => {
    for (const name of ['a/b/c', 'queue.1', 'my-queue_2']) {
      const r = await put(`/${name}?api-version=2021-05`, queueBody());
      expect(r.statusCode, name).toBe(201);
      expect(buildQueue(sdkEntry(r.body, Q)).name).toBe(name);
      expect(h.broker.getQueue(name).name).toBe(name);
    }
    const g = await h.request({ method: 'GET', url: '/A/B/C?api-version=2021-05' });
    expect(g.statusCode).toBe(200);
    expect(buildQueue(sdkEntry(g.body, Q)).name).toBe('a/b/c');
  });
});

describe('GET /{queue}', () => {
  it('returns the entry, matching the name case-insensitively and keeping the created case', async () => {
    await put('/MyQueue', queueBody(tutorial));
    const r = await h.request({ method: 'GET', url: '/myqueue?api-version=2021-05&enrich=false' });
    expect(r.statusCode).toBe(200);
    const q = buildQueue(sdkEntry(r.body, Q));
    expect(q.name).toBe('MyQueue');
    expect(q.lockDuration).toBe('PT5M');
  });

  it('404 MessageEntityNotFound-style error for a missing queue', async () => {
    const r = await h.request({ method: 'GET', url: '/missing?api-version=2021-05' });
    expect(r.statusCode).toBe(404);
    expect(errorOf(r.body)).toMatchObject({ code: '404', detail: expect.stringMatching(/could not be found/) });
  });

  it('reports runtime counts from the broker (active, dead-lettered, scheduled, size)', async () => {
    await put('/counted', queueBody());
    h.broker.send('counted', ['a', 'b', 'c', 'd'].map((payload) => ({ payload, size: 10 })));
    h.broker.schedule('counted', [{ payload: 's', size: 5, scheduledEnqueueTimeUtc: h.clock.now() + 60_000 }]);
    const receiver = h.broker.openReceiver('counted', { mode: 'peekLock' });
    const [m] = receiver.receive(1);
    h.broker.deadLetter('counted', m!.lockToken!);
    receiver.close();
    const q = buildQueue(sdkEntry((await h.request({ method: 'GET', url: '/counted' })).body, Q));
    const rt = h.broker.getQueue('counted').runtime;
    expect(q.runtime).toMatchObject({ activeMessageCount: 3, deadLetterMessageCount: 1, scheduledMessageCount: 1 });
    expect(q.runtime).toMatchObject({
      totalMessageCount: rt.totalMessageCount,
      sizeInBytes: rt.sizeInBytes,
      transferMessageCount: 0,
      transferDeadLetterMessageCount: 0,
    });
    expect(rt.sizeInBytes).toBeGreaterThan(0);
  });
});

describe('PUT /{queue} with If-Match: * (update)', () => {
  it('updates and answers 200 with the new description', async () => {
    await put('/upd', queueBody(tutorial));
    h.clock.advance(5000);
    const r = await put('/upd', queueBody({ ...tutorial, MaxDeliveryCount: 7, LockDuration: 'PT1M' }), { 'if-match': '*' });
    expect(r.statusCode).toBe(200);
    const q = buildQueue(sdkEntry(r.body, Q));
    expect(q).toMatchObject({ maxDeliveryCount: 7, lockDuration: 'PT1M', requiresSession: true });
    expect(q.runtime.modifiedAt.getTime()).toBe(h.clock.now());
  });

  it('refuses a ForwardTo naming no entity with 400, on create and update (Azure: the destination does not exist)', async () => {
    const created = await put('/fwd-missing', queueBody({ ForwardTo: 'sb://localhost:5300/nowhere' }));
    expect(created.statusCode).toBe(400);
    expect(created.body).toContain("The auto forwarding destination entity 'nowhere' does not exist.");
    expect(h.broker.listQueues().some((q) => q.name === 'fwd-missing')).toBe(false);
    await put('/fwd-missing', queueBody());
    const updated = await put('/fwd-missing', queueBody({ ForwardDeadLetteredMessagesTo: 'sb://localhost:5300/nowhere' }), { 'if-match': '*' });
    expect(updated.statusCode).toBe(400);
    const self = await put('/fwd-missing', queueBody({ ForwardTo: 'sb://localhost:5300/fwd-missing' }), { 'if-match': '*' });
    expect(self.statusCode).toBe(200);
  });

  it('clears ForwardTo and UserMetadata when the update leaves them out, as a full PUT does', async () => {
    await put('/x', queueBody());
    await put('/fwd', queueBody({ ForwardTo: 'sb://localhost:5300/x', UserMetadata: 'm' }));
    expect(h.broker.getQueue('fwd').properties.forwardTo).toBe('x');
    await put('/fwd', queueBody({ MaxDeliveryCount: 4 }), { 'if-match': '*' });
    const props = h.broker.getQueue('fwd').properties;
    expect(props).not.toHaveProperty('forwardTo');
    expect(props).not.toHaveProperty('userMetadata');
    expect(props.maxDeliveryCount).toBe(4);
  });

  it('404 when the queue does not exist', async () => {
    const r = await put('/nope', queueBody(), { 'if-match': '*' });
    expect(r.statusCode).toBe(404);
  });

  it('400 when the broker refuses the change (InvalidOperation)', async () => {
    await put('/sess', queueBody({ RequiresSession: true }));
    const r = await put('/sess', queueBody({ RequiresSession: false }), { 'if-match': '*' });
    expect(r.statusCode).toBe(400);
    expect(errorOf(r.body).detail).toMatch(/RequiresSession/);
  });
});

describe('DELETE /{queue}', () => {
  it('200 with an empty body, then 404', async () => {
    await put('/gone', queueBody());
    const r = await h.request({ method: 'DELETE', url: '/gone?api-version=2021-05' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('');
    expect((await h.request({ method: 'GET', url: '/gone' })).statusCode).toBe(404);
    expect((await h.request({ method: 'DELETE', url: '/gone' })).statusCode).toBe(404);
  });
});

describe('GET /$Resources/Queues', () => {
  beforeEach(async () => {
    for (const n of ['q-c', 'q-a', 'Q-B', 'q-e', 'q-d']) await put(`/${n}`, queueBody());
  });

  it('lists all queues sorted by name in a feed', async () => {
    const r = await h.request({ method: 'GET', url: '/$Resources/Queues?api-version=2021-05' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/atom+xml;type=feed;charset=utf-8');
    const { items, nextSkip } = sdkFeed(r.body, Q);
    expect(items.map((i) => buildQueue(i).name)).toEqual(['q-a', 'Q-B', 'q-c', 'q-d', 'q-e']);
    expect(nextSkip).toBeUndefined();
  });

  it('honours $skip and $top and links the next page (with the self link, so the SDK sees an array)', async () => {
    const r1 = await h.request({ method: 'GET', url: '/$Resources/Queues?api-version=2021-05&%24top=2' });
    const p1 = sdkFeed(r1.body, Q);
    expect(p1.items.map((i) => i.QueueName)).toEqual(['q-a', 'Q-B']);
    expect(p1.nextSkip).toBe('2');
    const r2 = await h.request({ method: 'GET', url: `/$Resources/Queues?api-version=2021-05&$skip=${p1.nextSkip}&$top=2` });
    const p2 = sdkFeed(r2.body, Q);
    expect(p2.items.map((i) => i.QueueName)).toEqual(['q-c', 'q-d']);
    const r3 = await h.request({ method: 'GET', url: '/$Resources/Queues?$skip=4&$top=2' });
    const p3 = sdkFeed(r3.body, Q);
    expect(p3.items.map((i) => i.QueueName)).toEqual(['q-e']);
    expect(p3.nextSkip).toBeUndefined();
    // Past the end: an empty feed (Python pages until it gets one).
    const r4 = await h.request({ method: 'GET', url: '/$Resources/queues?$skip=10' });
    expect(r4.statusCode).toBe(200);
    expect(sdkFeed(r4.body, Q).items).toEqual([]);
  });

  it('pages by 100 when no $top is given', async () => {
    for (let i = 0; i < 100; i++) await put(`/bulk-${String(i).padStart(3, '0')}`, queueBody());
    const p1 = sdkFeed((await h.request({ method: 'GET', url: '/$Resources/Queues' })).body, Q);
    expect(p1.items).toHaveLength(100);
    expect(p1.nextSkip).toBe('100');
    const p2 = sdkFeed((await h.request({ method: 'GET', url: `/$Resources/Queues?$skip=100` })).body, Q);
    expect(p2.items).toHaveLength(5);
  });

  it('matches the path case-insensitively (Python sends $Resources/queues)', async () => {
    const r = await h.request({ method: 'GET', url: '/$resources/QUEUES/?api-version=2021-05' });
    expect(r.statusCode).toBe(200);
    expect(sdkFeed(r.body, Q).items).toHaveLength(5);
  });

  it('400 for a negative or non-numeric $skip/$top', async () => {
    expect((await h.request({ method: 'GET', url: '/$Resources/Queues?$skip=-1' })).statusCode).toBe(400);
    expect((await h.request({ method: 'GET', url: '/$Resources/Queues?$top=many' })).statusCode).toBe(400);
  });
});
