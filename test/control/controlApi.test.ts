/**
 * Every /emulator endpoint over HTTP, next to the in-process call with the same meaning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSasToken } from '../../src/auth/sas.js';
import { startEmulator, type Emulator } from '../../src/index.js';
import type { MessageInput } from '../../src/broker/types.js';

const BASIC = `Basic ${Buffer.from('RootManageSharedAccessKey:SAS_KEY_VALUE').toString('base64')}`;
const body = (text: string): MessageInput['payload'] => ({ body: Buffer.from([0x00, 0x53, 0x75, 0xa0, text.length, ...Buffer.from(text)]), annotations: [], hasMessageId: true });
const msg = (text: string, extra: Partial<MessageInput> = {}): MessageInput => ({ payload: body(text), size: 10 + text.length, messageId: text, ...extra });

let emu: Emulator;
let base: string;

async function call(method: string, path: string, json?: unknown, authorization: string | null = BASIC): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.authorization = authorization;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(base + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : text.startsWith('{') ? JSON.parse(text) : text };
}

beforeAll(async () => {
  emu = await startEmulator({
    host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', clock: 'offset',
    config: {
      UserConfig: {
        Namespaces: [{ Name: 'sbemulatorns', Queues: [{ Name: 'q', Properties: { DeadLetteringOnMessageExpiration: true } }, { Name: 's', Properties: { RequiresSession: true } }], Topics: [{ Name: 't', Subscriptions: [{ Name: 'sub' }] }] }],
        Logging: { Type: 'Console' },
      },
      Emulator: { SharedAccessKeys: [{ KeyName: 'listener', Key: 'listen-key', Rights: ['Listen'] }] },
    } as never,
  });
  base = `http://127.0.0.1:${emu.httpPort}`;
});
afterAll(() => emu?.close());

describe('authorization', () => {
  it('needs the Manage right: a SAS token or Basic key credentials', async () => {
    expect((await call('GET', '/emulator/clock', undefined, null)).status).toBe(401);
    const listen = `Basic ${Buffer.from('listener:listen-key').toString('base64')}`;
    expect(await call('GET', '/emulator/clock', undefined, listen)).toMatchObject({ status: 401, body: { error: { status: 401 } } });
    const wrong = `Basic ${Buffer.from('RootManageSharedAccessKey:nope').toString('base64')}`;
    expect((await call('GET', '/emulator/clock', undefined, wrong)).status).toBe(401);
    const token = generateSasToken(`sb://127.0.0.1:${emu.httpPort}/`, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + 60);
    expect((await call('GET', '/emulator/clock', undefined, token)).status).toBe(200);
  });

  it('--control-api off (controlApi: false) serves none of it', async () => {
    const off = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', controlApi: false });
    try {
      const r = await fetch(`http://127.0.0.1:${off.httpPort}/emulator/clock`, { headers: { authorization: BASIC } });
      expect(r.status).toBe(404);
      expect(off.clock.mode).toBe('system');
    } finally {
      await off.close();
    }
  });
});

describe('clock', () => {
  it('GET reads it; advance by duration or ms runs what fell due; bad input is a 400', async () => {
    const before = await call('GET', '/emulator/clock');
    expect(before.status).toBe(200);
    const offset0 = before.body.offsetMs as number;
    emu.broker.send('q', [msg('ttl', { timeToLiveMs: 60_000 })]);
    const r = await call('POST', '/emulator/clock/advance', { duration: 'PT1M' });
    expect(r).toMatchObject({ status: 200, body: { offsetMs: offset0 + 60_000 } });
    expect(Date.parse(r.body.now)).toBeGreaterThanOrEqual(Date.now() + offset0 + 60_000 - 1000);
    expect(emu.inspect.messages('q', { state: 'deadlettered' })).toMatchObject([{ body: 'ttl', deadLetterReason: 'TTLExpiredException' }]);
    expect((await call('POST', '/emulator/clock/advance', { ms: 1000 })).body.offsetMs).toBe(offset0 + 61_000);
    expect(emu.clock.advance(1000).offsetMs).toBe(offset0 + 62_000);
    expect(emu.clock.offsetMs).toBe(offset0 + 62_000);
    for (const bad of [{}, { ms: -1 }, { ms: 1.5 }, { duration: 'an hour' }, { duration: 'PT1H', ms: 5 }]) {
      expect((await call('POST', '/emulator/clock/advance', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const notJson = await fetch(`${base}/emulator/clock/advance`, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    emu.purge('q');
  });

  it('an advance brings scheduled messages in, ends locks and closes duplicate-detection windows', async () => {
    emu.broker.createQueue('dups', { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindowMs: 10 * 60_000 });
    const at = emu.clock.now().getTime() + 30 * 60_000;
    emu.broker.send('dups', [msg('once'), msg('due', { scheduledEnqueueTimeUtc: at })]);
    emu.broker.send('dups', [msg('once')]);
    const r = emu.broker.openReceiver('dups', { mode: 'peekLock' });
    r.receive(1);
    expect(emu.inspect.messages('dups').map((m) => m.state)).toEqual(['locked', 'scheduled']);
    await call('POST', '/emulator/clock/advance', { duration: 'PT30M' });
    expect(emu.inspect.messages('dups').map((m) => [m.body, m.state, m.deliveryCount])).toEqual([['once', 'active', 1], ['due', 'active', 0]]);
    emu.broker.send('dups', [msg('once')]);
    expect(emu.inspect.messages('dups')).toHaveLength(3);
    r.close();
    emu.broker.deleteQueue('dups');
  });

  it('an advance past AutoDeleteOnIdle deletes the idle entity', async () => {
    emu.broker.createQueue('idle', { autoDeleteOnIdleMs: 10 * 60_000 });
    emu.clock.advance('PT11M');
    expect(emu.broker.entityKind('idle')).toBeUndefined();
  });

  it('the system clock refuses to move (409)', async () => {
    const sys = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent' });
    try {
      const r = await fetch(`http://127.0.0.1:${sys.httpPort}/emulator/clock/advance`, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/json' }, body: '{"ms":5}' });
      expect(r.status).toBe(409);
      expect(() => sys.clock.advance('PT1S')).toThrow(/--clock offset/);
    } finally {
      await sys.close();
    }
  });
});

describe('inspection', () => {
  it('lists entities with kinds and runtime counts', async () => {
    emu.broker.send('q', [msg('one')]);
    const r = await call('GET', '/emulator/entities');
    expect(r.status).toBe(200);
    expect(r.body.entities.map((e: { path: string; kind: string }) => [e.path, e.kind])).toEqual([['q', 'queue'], ['s', 'queue'], ['t', 'topic'], ['t/Subscriptions/sub', 'subscription']]);
    expect(r.body.entities[0].runtime.activeMessageCount).toBe(1);
    expect(emu.inspect.entities()).toEqual(r.body.entities);
    emu.purge('q');
  });

  it('shows messages in every state without locking them or counting a delivery', async () => {
    const now = emu.clock.now().getTime();
    emu.broker.send('q', [msg('active', { applicationProperties: { n: 1 } }), msg('locked'), msg('deferred'), msg('dead'), msg('later', { scheduledEnqueueTimeUtc: now + 3_600_000 })]);
    const receiver = emu.broker.openReceiver('q', { mode: 'peekLock', owner: 'test-connection' });
    const [, locked, deferred, dead] = emu.broker.peek('q', 0, 4);
    const got = receiver.receive(4);
    emu.broker.complete('q', got[0]!.lockToken!);
    emu.broker.send('q', [msg('active', { applicationProperties: { n: 1 } })]);
    emu.broker.defer('q', got[2]!.lockToken!);
    emu.broker.deadLetter('q', got[3]!.lockToken!, { reason: 'Bad', description: 'why' });
    const countsBefore = emu.broker.peek('q', 0, 10).map((m) => m.deliveryCount);
    const all = await call('GET', '/emulator/entities/q/messages');
    expect(all.body.messages.map((m: { body: string; state: string }) => [m.body, m.state])).toEqual([
      ['locked', 'locked'], ['deferred', 'deferred'], ['later', 'scheduled'], ['active', 'active'], ['dead', 'deadlettered'],
    ]);
    for (const state of ['active', 'deferred', 'scheduled', 'locked', 'deadlettered']) {
      const r = await call('GET', `/emulator/entities/q/messages?state=${state}`);
      expect(r.body.messages.map((m: { state: string }) => m.state)).toEqual([state]);
      expect(emu.inspect.messages('q', { state })).toEqual(r.body.messages);
    }
    const [l] = (await call('GET', '/emulator/entities/q/messages?state=locked')).body.messages;
    expect(l).toMatchObject({ sequenceNumber: locked!.sequenceNumber, messageId: 'locked', deliveryCount: 0, bodyEncoding: 'utf8', lockHolder: 'test-connection' });
    expect(Date.parse(l.lockedUntil)).toBeGreaterThan(emu.clock.now().getTime());
    expect((await call('GET', '/emulator/entities/q/messages?state=scheduled')).body.messages[0].scheduledEnqueueTime).toBe(new Date(now + 3_600_000).toISOString());
    expect((await call('GET', '/emulator/entities/q/messages?state=deadlettered')).body.messages[0]).toMatchObject({ sequenceNumber: dead!.sequenceNumber, deadLetterReason: 'Bad', deadLetterErrorDescription: 'why' });
    expect(deferred).toBeDefined();
    expect((await call('GET', '/emulator/entities/q/messages?state=active')).body.messages[0].applicationProperties).toEqual({ n: 1 });
    // Reading changed nothing: the lock holder still completes, nobody's delivery count moved.
    emu.broker.complete('q', got[1]!.lockToken!);
    expect(emu.broker.peek('q', 0, 10).map((m) => m.deliveryCount)).toEqual(countsBefore.slice(1));
    expect((await call('GET', '/emulator/entities/q/messages?state=bogus')).status).toBe(400);
    expect((await call('GET', '/emulator/entities/nope/messages')).status).toBe(404);
    expect((await call('GET', '/emulator/entities/q/other')).status).toBe(404);
    receiver.close();
    emu.purge('q');
  });

  it('reads subscriptions (a path with slashes) and binary bodies as base64', async () => {
    emu.broker.send('t', [{ payload: { body: Buffer.from([0x00, 0x53, 0x75, 0xa0, 2, 0xff, 0x00]), annotations: [], hasMessageId: true }, size: 9, messageId: 'bin' }]);
    const r = await call('GET', '/emulator/entities/t/Subscriptions/sub/messages');
    expect(r.body.messages).toMatchObject([{ messageId: 'bin', body: Buffer.from([0xff, 0x00]).toString('base64'), bodyEncoding: 'base64' }]);
    expect((await call('POST', '/emulator/entities/t/purge')).body).toEqual({ removed: 1 });
  });

  it('lists sessions with counts, state and lock holder', async () => {
    emu.broker.send('s', [msg('x', { sessionId: 'a' }), msg('y', { sessionId: 'a' }), msg('z', { sessionId: 'b' })]);
    const r1 = emu.broker.acceptSession('s', 'a', { mode: 'peekLock', owner: 'conn-1' });
    r1.receive(1);
    emu.broker.setSessionState('s', 'a', new TextEncoder().encode('step-2'));
    const r = await call('GET', '/emulator/entities/s/sessions');
    expect(r.body.sessions).toMatchObject([
      { sessionId: 'a', active: 1, locked: 1, deferred: 0, scheduled: 0, state: 'step-2', stateEncoding: 'utf8', lockHolder: 'conn-1' },
      { sessionId: 'b', active: 1, locked: 0, state: null, lockedUntil: null, lockHolder: null },
    ]);
    expect(emu.inspect.sessions('s')).toEqual(r.body.sessions);
    expect((await call('GET', '/emulator/entities/s/messages?state=locked')).body.messages[0].lockHolder).toBe('conn-1');
    expect((await call('GET', '/emulator/entities/t/sessions')).status).toBe(400);
    r1.close();
  });
});

describe('purge and reset', () => {
  it('purge empties one entity and its dead-letter queue; unknown paths are 404', async () => {
    emu.broker.send('q', [msg('a'), msg('b')]);
    expect((await call('POST', '/emulator/entities/q/purge')).body).toEqual({ removed: 2 });
    expect(emu.broker.runtime('q').totalMessageCount).toBe(0);
    expect((await call('POST', '/emulator/entities/nope/purge')).status).toBe(404);
    expect(() => emu.purge('nope')).toThrow(/No queue/);
  });

  it('reset removes runtime entities, restores changed ones, clears messages, journal and faults', async () => {
    emu.broker.createQueue('runtime');
    emu.broker.updateQueue('q', { maxDeliveryCount: 99 });
    emu.broker.deleteSubscription('t', 'sub');
    emu.broker.send('s', [msg('left', { sessionId: 'k' })]);
    emu.faults.inject({ operation: 'send', error: 'timeout' });
    const r = await call('POST', '/emulator/reset');
    expect(r.status).toBe(200);
    expect(r.body.removed.sort()).toEqual(['q', 'runtime']);
    expect(r.body.created.sort()).toEqual(['q', 't/Subscriptions/sub']);
    expect(emu.broker.getQueue('q').properties.maxDeliveryCount).not.toBe(99);
    expect(emu.broker.entityKind('runtime')).toBeUndefined();
    expect(emu.inspect.messages('s')).toEqual([]);
    expect(emu.journal()).toEqual([]);
    expect(emu.faults.list()).toEqual([]);
    expect(emu.broker.send('s', [msg('first', { sessionId: 'k' })])).toEqual([1]);
    expect(emu.reset().removed).toEqual([]);
  });
});

describe('journal', () => {
  it('filters by entity, session and since, numbering events in order', async () => {
    emu.reset();
    emu.broker.send('q', [msg('a')]);
    emu.broker.send('s', [msg('b', { sessionId: 'one' }), msg('c', { sessionId: 'two' })]);
    const all = (await call('GET', '/emulator/journal')).body.events;
    expect(all.map((e: { number: number }) => e.number)).toEqual([1, 2, 3]);
    expect(all[0]).toMatchObject({ type: 'enqueued', entity: 'q', messageId: 'a', detail: 'send' });
    expect(typeof all[0].time).toBe('string');
    expect((await call('GET', '/emulator/journal?entity=s&session=two')).body.events.map((e: { messageId: string }) => e.messageId)).toEqual(['c']);
    expect((await call('GET', '/emulator/journal?since=2')).body.events.map((e: { number: number }) => e.number)).toEqual([3]);
    expect(emu.journal({ entity: 'S' })).toHaveLength(2);
    expect((await call('GET', '/emulator/journal?since=x')).status).toBe(400);
  });
});

describe('faults', () => {
  it('arms, lists and clears error faults; validates them', async () => {
    const r = await call('POST', '/emulator/faults', { kind: 'error', entity: 'q', operation: 'receive', error: 'server-busy', count: 3 });
    expect(r).toMatchObject({ status: 201, body: { id: expect.any(Number), entity: 'q', operation: 'receive', error: 'server-busy', count: 3, hits: 0 } });
    expect((await call('GET', '/emulator/faults')).body.faults).toHaveLength(1);
    expect(emu.faults.list()).toHaveLength(1);
    expect((await call('DELETE', '/emulator/faults')).status).toBe(204);
    expect(emu.faults.list()).toEqual([]);
    const delay = await call('POST', '/emulator/faults', { kind: 'delay', entity: 'q', operation: 'management', delay: 'PT2S' });
    expect(delay).toMatchObject({ status: 201, body: { operation: 'management', delayMs: 2000 } });
    expect(emu.faults.inject({ operation: 'send', delayMs: 5 })).toMatchObject({ entity: undefined, delayMs: 5, count: 1 });
    await call('DELETE', '/emulator/faults');
    for (const bad of [{ kind: 'delay', operation: 'send' }, { kind: 'delay', operation: 'settle', delayMs: 5 }, { kind: 'delay', operation: 'send', delay: 'soon' }]) {
      expect((await call('POST', '/emulator/faults', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    for (const bad of [{ kind: 'nope' }, { error: 'server-busy', operation: 'fly' }, { error: 'teapot', operation: 'send' }, { error: 'timeout', operation: 'send', count: 0 }, { kind: 'expireLocks' }]) {
      expect((await call('POST', '/emulator/faults', bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('expires message locks and session locks now, over HTTP and in-process', async () => {
    emu.reset();
    emu.broker.send('q', [msg('a'), msg('b')]);
    const receiver = emu.broker.openReceiver('q', { mode: 'peekLock' });
    receiver.receive(2);
    expect((await call('POST', '/emulator/faults', { kind: 'expireLocks', entity: 'q', sequenceNumber: 1 })).body).toEqual({ locks: 1 });
    expect(emu.faults.expireLocks('q')).toEqual({ locks: 1 });
    expect(emu.inspect.messages('q').map((m) => [m.state, m.deliveryCount])).toEqual([['active', 1], ['active', 1]]);
    emu.broker.send('s', [msg('x', { sessionId: 'a' })]);
    emu.broker.acceptSession('s', 'a', { mode: 'peekLock' });
    expect((await call('POST', '/emulator/faults', { kind: 'expireSessionLock', entity: 's', session: 'a' })).body).toEqual({ expired: true });
    expect(emu.faults.expireSessionLock('s', 'a')).toEqual({ expired: false });
    expect((await call('POST', '/emulator/faults', { kind: 'expireLocks', entity: 'nope' })).status).toBe(404);
    expect((await call('POST', '/emulator/faults', { kind: 'dropConnections' })).body).toEqual({ connections: 0 });
    receiver.close();
  });
});
