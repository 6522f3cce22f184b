/**
 * Authorization as Azure does it, in raw frames: SASL PLAIN with a policy's name and key, the
 * limit on unauthenticated connections, links that last only as long as their token, and the
 * right each $management operation needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rhea from 'rhea';
import { startEmulatorWithPolicies, uniqueName, type Emulator } from '../sdk/harness.js';
import { Raw, encodeMessage } from './engineClient.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const message: any = (rhea as any).message;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulatorWithPolicies({ amqpAuthTimeoutMs: 400 });
});
afterAll(async () => {
  await emulator?.close();
});

const queue = () => {
  const q = uniqueName('auth');
  emulator.broker.createQueue(q);
  return q;
};

/** The server's detach of our link `name`, its attach and detach both within `timeoutMs`. */
const detachOf = (raw: Raw, name: string, timeoutMs = 5000) =>
  raw.c.waitFor(() => {
    const attach = raw.frames('attach').find((f) => f.performative.name === name);
    return attach && raw.frames('detach').find((f) => f.performative.handle === attach.performative.handle);
  }, timeoutMs);

describe('SASL PLAIN', () => {
  it("a policy's name and key let a generic client send with no CBS token", async () => {
    const q = queue();
    const raw = await Raw.connect(emulator.amqpPort, { mechanism: 'PLAIN', user: 'RootManageSharedAccessKey', password: 'SAS_KEY_VALUE' });
    raw.attach(0, 'plain-sender', 'sender', { target: { address: q } });
    await raw.credited('plain-sender');
    raw.transfer(0, 0, encodeMessage({ body: 'hello' }));
    await raw.c.waitFor(() => emulator.broker.runtime(q).activeMessageCount === 1 || undefined);
    // Past the unauthenticated-connection limit, it stays open.
    await new Promise((r) => setTimeout(r, 600));
    expect(raw.c.closed).toBe(false);
    raw.close();
  });

  it('a wrong password gets sasl-outcome auth and no connection', async () => {
    const raw = await Raw.connect(emulator.amqpPort, { mechanism: 'PLAIN', user: 'RootManageSharedAccessKey', password: 'wrong' });
    const outcome = raw.c.frames.find((f) => f.type === 1 && f.code === 0x44)!;
    expect(outcome.performative.code).toBe(1);
    await raw.c.waitClosed();
    expect(raw.frames('open')).toHaveLength(0);
  });

  it("a Send-only policy's connection may send but not receive", async () => {
    const q = queue();
    const raw = await Raw.connect(emulator.amqpPort, { mechanism: 'PLAIN', user: 'sender', password: 'send-key' });
    raw.attach(0, 'r', 'receiver', { source: { address: q }, target: { address: 'me' } });
    // Refused at once: the connection's grant covers the queue, only the right is missing, so
    // there is no token to wait for (the wait is for attaches sent ahead of their token).
    const detach = await detachOf(raw, 'r', 1000);
    expect(detach.performative.error?.condition).toBe('amqp:unauthorized-access');
    raw.attach(1, 's', 'sender', { target: { address: q } });
    await raw.credited('s');
    raw.close();
  });
});

describe('unauthenticated connections', () => {
  it('are closed with unauthorized-access once the limit passes without a token', async () => {
    const raw = await Raw.connect(emulator.amqpPort);
    await raw.c.waitClosed(3000);
    expect(raw.frames('close')[0]?.performative.error?.condition).toBe('amqp:unauthorized-access');
  });

  it('a connection that put a token stays open past the limit', async () => {
    const raw = await Raw.authorized(emulator.amqpPort);
    await new Promise((r) => setTimeout(r, 600));
    expect(raw.c.closed).toBe(false);
    raw.close();
  });
});

describe('an attach that arrives before its token', () => {
  it('waits for the put-token sent with it, then attaches (Java 7.15 pipelines them)', async () => {
    const q = queue();
    const raw = await Raw.connect(emulator.amqpPort);
    raw.attach(0, 'early', 'sender', { target: { address: q } });
    expect(await raw.putToken()).toBe(202);
    await raw.credited('early');
    const attach = raw.frames('attach').find((f) => f.performative.name === 'early')!;
    expect(attach.performative.target).toBeTruthy();
    raw.close();
  });

  it('is refused with unauthorized-access when no token comes', async () => {
    const q = queue();
    const raw = await Raw.connect(emulator.amqpPort, { mechanism: 'PLAIN', user: 'listener', password: 'listen-key' });
    raw.attach(0, 'no-send-right', 'sender', { target: { address: q } });
    const detach = await detachOf(raw, 'no-send-right');
    expect(detach.performative.error?.condition).toBe('amqp:unauthorized-access');
    raw.close();
  });
});

describe('token lifetime', () => {
  it('links detach with unauthorized-access when their token expires unrenewed', async () => {
    const q = queue();
    const raw = await Raw.connect(emulator.amqpPort);
    expect(await raw.putToken({ expiresAtSeconds: Math.floor(Date.now() / 1000) + 2 })).toBe(202);
    raw.attach(0, 's', 'sender', { target: { address: q } });
    await raw.credited('s');
    const detach = await detachOf(raw, 's');
    expect(detach.performative.error?.condition).toBe('amqp:unauthorized-access');
    expect(detach.performative.error?.description).toMatch(/expired/);
    raw.close();
  });

  it('a renewal before expiry keeps the links', async () => {
    const q = queue();
    const raw = await Raw.connect(emulator.amqpPort);
    expect(await raw.putToken({ expiresAtSeconds: Math.floor(Date.now() / 1000) + 2 })).toBe(202);
    raw.attach(0, 's', 'sender', { target: { address: q } });
    await raw.credited('s');
    expect(await raw.putToken({ expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600 })).toBe(202);
    await new Promise((r) => setTimeout(r, 3000));
    expect(raw.frames('detach')).toHaveLength(0);
    raw.transfer(0, 50, encodeMessage({ body: 'still here' }));
    await raw.c.waitFor(() => emulator.broker.runtime(q).activeMessageCount === 1 || undefined);
    raw.close();
  });
});

describe('$management rights per operation', () => {
  async function request(raw: Raw, q: string, operation: string, body: unknown, id: number): Promise<any> {
    const reply = await raw.handleOf('m-in');
    raw.transfer(10, 1000 + id, message.encode({ message_id: `op-${id}`, reply_to: 'm-reply', application_properties: { operation }, body }));
    const res = await raw.c.waitFor(() => raw.frames('transfer').filter((f) => f.performative.handle === reply)[id]);
    return message.decode(res.payload).application_properties;
  }

  it('a Send-only token may schedule but not peek or manage rules: 401 unauthorized-access', async () => {
    const q = queue();
    const raw = await Raw.connect(emulator.amqpPort);
    expect(await raw.putToken({ keyName: 'sender', key: 'send-key' })).toBe(202);
    raw.attach(10, 'm-out', 'sender', { target: { address: `${q}/$management` } });
    raw.attach(11, 'm-in', 'receiver', { source: { address: `${q}/$management` }, target: { address: 'm-reply' } });
    raw.flow(11, 0, 100);
    await raw.credited('m-out');
    const peek = await request(raw, q, 'com.microsoft:peek-message', { 'from-sequence-number': rhea.types.wrap_long(0), 'message-count': 1 }, 0);
    expect(peek.statusCode).toBe(401);
    expect(peek.errorCondition).toBe('amqp:unauthorized-access');
    expect(peek.statusDescription).toMatch(/'Listen' claim/);
    const rules = await request(raw, q, 'com.microsoft:enumerate-rules', { top: 10, skip: 0 }, 1);
    expect(rules.statusCode).toBe(401);
    const msg = encodeMessage({ message_id: 'sched', body: 'later', message_annotations: { 'x-opt-scheduled-enqueue-time': new Date(Date.now() + 60_000) } });
    const schedule = await request(raw, q, 'com.microsoft:schedule-message', {
      messages: [{ message: msg, 'message-id': 'sched' }],
    }, 2);
    expect({ status: schedule.statusCode, description: schedule.statusDescription }).toMatchObject({ status: 200 });
    raw.close();
  });
});
