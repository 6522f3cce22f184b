/**
 * The real ServiceBusAdministrationClient of @azure/service-bus 7.9.5 against startAdminServer.
 *
 * That client always uses https (no emulator switch in 7.9.5), so the emulator's certificate must
 * be trusted. The user-facing contract is `NODE_EXTRA_CA_CERTS=<tls-dir>/ca.pem`, which Node reads
 * only at process start; so the SDK runs in a child Node process started with that variable
 * (support/adminClientChild.mjs), driven over stdin/stdout from here. No
 * NODE_TLS_REJECT_UNAUTHORIZED, no custom agent, no patched SDK. A second child without the
 * variable shows the connection really is TLS and really is verified.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAuthConfig } from '../../src/auth/types.js';
import { Broker } from '../../src/broker/index.js';
import { startAdminServer, type AdminServer } from '../../src/http/server.js';
import { ensureTlsMaterial, type TlsMaterial } from '../../src/tls/certs.js';
import { AdminClientProcess, sdkError } from './support/adminClient.js';

let dir: string;
let tls: TlsMaterial;
let broker: Broker;
let server: AdminServer;
let sdk: AdminClientProcess;
let connectionString: string;
let admin: ReturnType<AdminClientProcess['client']>;

const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TLS_REJECT_UNAUTHORIZED;
  return env;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sbemu-sdk-'));
  tls = await ensureTlsMaterial(path.join(dir, 'tls'));
  broker = new Broker({ clock: { now: () => Date.now() } });
  server = await startAdminServer({
    broker,
    host: '127.0.0.1',
    port: 0,
    tls,
    auth: defaultAuthConfig(),
    logger: pino({ level: 'silent' }),
    isReady: () => true,
  });
  connectionString = `Endpoint=sb://localhost:${server.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`;
  sdk = new AdminClientProcess(childEnv({ NODE_EXTRA_CA_CERTS: tls.caPath }));
  admin = sdk.client(connectionString);
});

afterAll(async () => {
  await sdk?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const tutorial = {
  requiresSession: true,
  lockDuration: 'PT5M',
  maxDeliveryCount: 10,
  defaultMessageTimeToLive: 'P14D',
  deadLetteringOnMessageExpiration: true,
};

describe('ServiceBusAdministrationClient (@azure/service-bus 7.9.5) over HTTPS', () => {
  it("creates a session queue with the tutorial's properties", async () => {
    const q = await admin.call('createQueue', 'session-queue', tutorial);
    expect(q).toMatchObject({ name: 'session-queue', ...tutorial, status: 'Active', enablePartitioning: false, maxSizeInMegabytes: 1024 });
    expect(broker.getQueue('session-queue').properties).toMatchObject({ requiresSession: true, lockDurationMs: 300_000, defaultMessageTimeToLiveMs: 1_209_600_000 });
  });

  it('gets it, and says whether queues exist', async () => {
    expect(await admin.call('getQueue', 'session-queue')).toMatchObject({ name: 'session-queue', ...tutorial });
    expect(await admin.call('queueExists', 'session-queue')).toBe(true);
    expect(await admin.call('queueExists', 'no-such-queue')).toBe(false);
  });

  it('updates it (get, change, updateQueue with If-Match)', async () => {
    const q = await admin.call('getQueue', 'session-queue');
    const updated = await admin.call('updateQueue', { ...q, maxDeliveryCount: 5, lockDuration: 'PT1M', userMetadata: 'updated' });
    expect(updated).toMatchObject({ name: 'session-queue', maxDeliveryCount: 5, lockDuration: 'PT1M', userMetadata: 'updated', requiresSession: true });
    expect(await admin.call('getQueue', 'session-queue')).toMatchObject({ maxDeliveryCount: 5, lockDuration: 'PT1M' });
  });

  it('forwarding: the SDK sends ForwardTo as sb://host:port/name and gets it back the same way', async () => {
    await admin.call('createQueue', 'fwd-target');
    const q = await admin.call('createQueue', 'fwd-source', { forwardTo: 'fwd-target' });
    expect(q.forwardTo).toBe(`sb://localhost:${server.port}/fwd-target`);
    expect(broker.getQueue('fwd-source').properties.forwardTo).toBe('fwd-target');
    const updated = await admin.call('updateQueue', { ...q, forwardTo: undefined });
    expect(updated.forwardTo).toBeUndefined();
    expect(broker.getQueue('fwd-source').properties).not.toHaveProperty('forwardTo');
    await admin.call('deleteQueue', 'fwd-source');
    await admin.call('deleteQueue', 'fwd-target');
  });

  it('lists queues, page by page (continuation through the next link)', async () => {
    for (const n of ['list-a', 'list-b', 'list-c', 'list-d']) await admin.call('createQueue', n);
    const pages = await admin.pages('listQueues', 2);
    expect(pages.map((p) => p.map((q: { name: string }) => q.name))).toEqual([['list-a', 'list-b'], ['list-c', 'list-d'], ['session-queue']]);
    const all = await admin.all('listQueues');
    expect(all.map((q: { name: string }) => q.name)).toEqual(['list-a', 'list-b', 'list-c', 'list-d', 'session-queue']);
    const runtimes = await admin.pages('listQueuesRuntimeProperties', 3);
    expect(runtimes.map((p) => p.length)).toEqual([3, 2]);
  });

  it('reads runtime counts after sends', async () => {
    broker.send('list-a', ['one', 'two', 'three'].map((payload) => ({ payload, size: 100 })));
    broker.schedule('list-a', [{ payload: 'later', size: 100, scheduledEnqueueTimeUtc: Date.now() + 3_600_000 }]);
    const receiver = broker.openReceiver('list-a', { mode: 'peekLock' });
    const [m] = receiver.receive(1);
    broker.deadLetter('list-a', m!.lockToken!);
    receiver.close();
    const rt = await admin.call('getQueueRuntimeProperties', 'list-a');
    expect(rt).toMatchObject({
      name: 'list-a',
      activeMessageCount: 2,
      deadLetterMessageCount: 1,
      scheduledMessageCount: 1,
      transferMessageCount: 0,
      transferDeadLetterMessageCount: 0,
      totalMessageCount: broker.getQueue('list-a').runtime.totalMessageCount,
      sizeInBytes: broker.getQueue('list-a').runtime.sizeInBytes,
    });
    expect(Date.parse(rt.createdAt)).toBeGreaterThan(0);
  });

  it('409 MessageEntityAlreadyExistsError on a duplicate create', async () => {
    const e = await sdkError(admin.call('createQueue', 'session-queue'));
    expect(e).toMatchObject({ code: 'MessageEntityAlreadyExistsError', statusCode: 409 });
  });

  it('404 MessageEntityNotFoundError on a missing entity', async () => {
    expect(await sdkError(admin.call('getQueue', 'no-such-queue'))).toMatchObject({ code: 'MessageEntityNotFoundError', statusCode: 404 });
    expect(await sdkError(admin.call('deleteTopic', 'no-such-topic'))).toMatchObject({ code: 'MessageEntityNotFoundError', statusCode: 404 });
  });

  it('401 UnauthorizedRequestError with a wrong key', async () => {
    const wrong = sdk.client(connectionString.replace('SAS_KEY_VALUE', 'WRONG_KEY'));
    expect(await sdkError(wrong.call('getQueue', 'session-queue'))).toMatchObject({ code: 'UnauthorizedRequestError', statusCode: 401 });
    expect(await sdkError(wrong.call('createQueue', 'should-not-exist'))).toMatchObject({ statusCode: 401 });
    expect(await admin.call('queueExists', 'should-not-exist')).toBe(false);
  });

  it('namespace properties', async () => {
    expect(await admin.call('getNamespaceProperties')).toMatchObject({ name: 'localhost', messagingSku: 'Standard' });
  });

  it('topics: create, get, runtime, exists, update, list', async () => {
    expect(await admin.call('createTopic', 'orders', { defaultMessageTimeToLive: 'PT1H', maxSizeInMegabytes: 2048 })).toMatchObject({
      name: 'orders',
      defaultMessageTimeToLive: 'PT1H',
      maxSizeInMegabytes: 2048,
      supportOrdering: true,
    });
    expect(await admin.call('getTopic', 'orders')).toMatchObject({ name: 'orders', defaultMessageTimeToLive: 'PT1H' });
    expect(await admin.call('topicExists', 'orders')).toBe(true);
    // (topicExists('session-queue') is true, as on Azure: GET /{name} answers whatever entity has
    // that name, and the SDK's getTopic reads a queue's entry without complaint.)
    expect(await admin.call('topicExists', 'no-such-topic')).toBe(false);
    const t = await admin.call('getTopic', 'orders');
    expect(await admin.call('updateTopic', { ...t, maxSizeInMegabytes: 1024, userMetadata: 'm' })).toMatchObject({ maxSizeInMegabytes: 1024, userMetadata: 'm' });
    await admin.call('createTopic', 'audit');
    expect((await admin.all('listTopics')).map((x: { name: string }) => x.name)).toEqual(['audit', 'orders']);
    expect(await sdkError(admin.call('createTopic', 'orders'))).toMatchObject({ code: 'MessageEntityAlreadyExistsError' });
  });

  it('subscriptions: create (with a default rule), get, runtime, exists, update, list', async () => {
    const sub = await admin.call('createSubscription', 'orders', 'eu', {
      maxDeliveryCount: 3,
      lockDuration: 'PT30S',
      defaultRuleOptions: { name: 'eu-only', filter: { correlationId: 'region-eu', applicationProperties: { region: 'eu' } } },
    });
    expect(sub).toMatchObject({ topicName: 'orders', subscriptionName: 'eu', maxDeliveryCount: 3, lockDuration: 'PT30S', status: 'Active' });
    expect(broker.listRules('orders', 'eu')).toMatchObject([{ name: 'eu-only', filter: { type: 'correlation', correlationId: 'region-eu', properties: { region: 'eu' } } }]);
    await admin.call('createSubscription', 'orders', 'all', { requiresSession: true });
    expect(await admin.call('getSubscription', 'orders', 'all')).toMatchObject({ topicName: 'orders', subscriptionName: 'all', requiresSession: true });
    expect(await admin.call('subscriptionExists', 'orders', 'all')).toBe(true);
    expect(await admin.call('subscriptionExists', 'orders', 'nope')).toBe(false);
    const s = await admin.call('getSubscription', 'orders', 'eu');
    expect(await admin.call('updateSubscription', { ...s, maxDeliveryCount: 7 })).toMatchObject({ maxDeliveryCount: 7, lockDuration: 'PT30S' });
    expect((await admin.all('listSubscriptions', 'orders')).map((x: { subscriptionName: string }) => x.subscriptionName)).toEqual(['all', 'eu']);
    expect(await admin.call('getSubscriptionRuntimeProperties', 'orders', 'eu')).toMatchObject({
      topicName: 'orders',
      subscriptionName: 'eu',
      totalMessageCount: 0,
      activeMessageCount: 0,
    });
    expect(await admin.call('getTopicRuntimeProperties', 'orders')).toMatchObject({ name: 'orders', subscriptionCount: 2 });
    expect(await sdkError(admin.call('createSubscription', 'orders', 'eu'))).toMatchObject({ code: 'MessageEntityAlreadyExistsError' });
    expect(await sdkError(admin.call('getSubscription', 'nope', 'eu'))).toMatchObject({ code: 'MessageEntityNotFoundError' });
  });

  it('rules: create (SQL and correlation), get, list, update, exists', async () => {
    const sql = await admin.call('createRule', 'orders', 'all', 'big', { sqlExpression: 'amount > @min', sqlParameters: { '@min': 100 } }, { sqlExpression: "SET tier = 'gold'" });
    expect(sql).toMatchObject({ name: 'big', filter: { sqlExpression: 'amount > @min', sqlParameters: { '@min': 100 } }, action: { sqlExpression: "SET tier = 'gold'" } });
    const corr = await admin.call('createRule', 'orders', 'all', 'typed', {
      correlationId: 'c1',
      subject: 'created',
      applicationProperties: { s: 'x', n: 1.5, b: true },
    });
    expect(corr).toMatchObject({ name: 'typed', filter: { correlationId: 'c1', subject: 'created', applicationProperties: { s: 'x', n: 1.5, b: true } } });
    expect(await admin.call('getRule', 'orders', 'all', '$Default')).toMatchObject({ name: '$Default', filter: { sqlExpression: '1=1' } });
    expect((await admin.all('listRules', 'orders', 'all')).map((r: { name: string }) => r.name)).toEqual(['$Default', 'big', 'typed']);
    const rule = await admin.call('getRule', 'orders', 'all', 'big');
    expect(await admin.call('updateRule', 'orders', 'all', { ...rule, filter: { sqlExpression: 'amount > 1000' } })).toMatchObject({
      name: 'big',
      filter: { sqlExpression: 'amount > 1000' },
    });
    expect(await admin.call('ruleExists', 'orders', 'all', 'big')).toBe(true);
    expect(await admin.call('ruleExists', 'orders', 'all', 'nope')).toBe(false);
    expect(await sdkError(admin.call('createRule', 'orders', 'all', 'big', { sqlExpression: '1=1' }))).toMatchObject({ code: 'MessageEntityAlreadyExistsError' });
  });

  it('deletes rules, subscriptions, topics and queues', async () => {
    await admin.call('deleteRule', 'orders', 'all', 'big');
    expect(await admin.call('ruleExists', 'orders', 'all', 'big')).toBe(false);
    await admin.call('deleteSubscription', 'orders', 'eu');
    expect(await admin.call('subscriptionExists', 'orders', 'eu')).toBe(false);
    await admin.call('deleteTopic', 'orders');
    expect(await admin.call('topicExists', 'orders')).toBe(false);
    await admin.call('deleteQueue', 'session-queue');
    expect(await admin.call('queueExists', 'session-queue')).toBe(false);
    expect(await sdkError(admin.call('deleteQueue', 'session-queue'))).toMatchObject({ code: 'MessageEntityNotFoundError' });
  });

  it('without NODE_EXTRA_CA_CERTS the certificate is not trusted (the connection really is verified TLS)', async () => {
    const untrusting = new AdminClientProcess(childEnv({}));
    try {
      // (queueExists would just say false: it swallows every error.)
      const e = await sdkError(untrusting.client(connectionString).call('getQueue', 'list-a'));
      expect(e.message).toMatch(/self.signed|certificate/i);
    } finally {
      await untrusting.close();
    }
  });
});
