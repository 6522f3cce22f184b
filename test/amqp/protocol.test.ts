/**
 * What the SDKs hide: drain, released, the exact shape of every frame the server writes, and
 * bad input (garbage, wrong headers, oversized or unknown frames, broken management requests)
 * that must hurt only the connection that sent it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import rhea from 'rhea';
import { generateSasToken } from '../../src/auth/sas.js';
import { startTestEmulator, uniqueName, type Emulator } from '../sdk/harness.js';
import { FULL_FIELD_COUNT, RawClient, decodeStrict, frames } from './rawClient.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

/** A rhea client connection that has put a namespace-wide token on $cbs. */
async function rheaConnection(tap?: Buffer[]): Promise<{ connection: any; close: () => void }> {
  const container = rhea.create_container();
  const connect = (port: number, host: string, _options: unknown, callback: () => void) => {
    const socket = net.connect(port, host, callback);
    if (tap) socket.on('data', (d: Buffer) => tap.push(d));
    return socket;
  };
  const connection: any = container.connect({ host: '127.0.0.1', port: emulator.amqpPort, reconnect: false, connect } as any);
  await new Promise<void>((resolve, reject) => {
    connection.once('connection_open', () => resolve());
    connection.once('connection_error', reject);
    connection.once('disconnected', (ctx: any) => reject(ctx.error ?? new Error('disconnected')));
  });
  const replyTo = 'cbs-reply';
  const receiver = connection.open_receiver({ source: { address: '$cbs' }, target: { address: replyTo }, name: replyTo });
  const sender = connection.open_sender({ target: { address: '$cbs' } });
  await new Promise<void>((r) => sender.once('sendable', () => r()));
  const token = generateSasToken(`sb://localhost:${emulator.amqpPort}/`, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + 3600);
  const response = new Promise<any>((r) => receiver.once('message', (ctx: any) => r(ctx.message)));
  sender.send({
    message_id: 'put-1',
    reply_to: replyTo,
    application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: `sb://localhost:${emulator.amqpPort}/` },
    body: token,
  });
  const res = await response;
  expect(res.application_properties['status-code']).toBe(202);
  expect(res.correlation_id).toBe('put-1');
  return { connection, close: () => connection.close() };
}

const once = <T = any>(emitter: any, event: string, timeoutMs = 3000) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (ctx: T) => {
      clearTimeout(t);
      resolve(ctx);
    });
  });

describe('credit and settlement on raw links', () => {
  it('answers a drain at once when nothing is available', async () => {
    const queue = uniqueName('drain');
    emulator.broker.createQueue(queue);
    const { connection, close } = await rheaConnection();
    const receiver = connection.open_receiver({ source: { address: queue }, credit_window: 0, autoaccept: false, rcv_settle_mode: 1 });
    await once(receiver, 'receiver_open');
    receiver.add_credit(5);
    const started = Date.now();
    receiver.drain_credit();
    await once(receiver, 'receiver_drained', 2000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(receiver.credit).toBe(0);
    close();
  });

  it('takes back a released message without counting a delivery', async () => {
    const queue = uniqueName('released');
    emulator.broker.createQueue(queue);
    const { connection, close } = await rheaConnection();
    const sender = connection.open_sender({ target: { address: queue } });
    await once(sender, 'sendable');
    sender.send({ body: 'again' });
    await once(sender, 'accepted');
    const receiver = connection.open_receiver({ source: { address: queue }, credit_window: 0, autoaccept: false, rcv_settle_mode: 1 });
    receiver.add_credit(1);
    const first = await once(receiver, 'message');
    expect(first.message.delivery_count ?? 0).toBe(0);
    expect(first.delivery.tag).toHaveLength(16);
    first.delivery.release();
    receiver.add_credit(1);
    const second = await once(receiver, 'message');
    expect(second.message.body).toBe('again');
    expect(second.message.delivery_count ?? 0).toBe(0);
    second.delivery.accept();
    await new Promise((r) => setTimeout(r, 100));
    expect(emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    close();
  });

  it('returns a batch (message-format 0x80013700) as separate messages, all or nothing', async () => {
    const queue = uniqueName('batch');
    emulator.broker.createQueue(queue);
    const { connection, close } = await rheaConnection();
    const sender = connection.open_sender({ target: { address: queue } });
    await once(sender, 'sendable');
    const inner = ['one', 'two', 'three'].map((body, i) => rhea.message.encode({ body, message_id: `m${i}` } as any));
    const envelope = rhea.message.encode({ body: rhea.message.data_sections(inner) } as any);
    sender.send(envelope, undefined, 0x80013700);
    await once(sender, 'accepted');
    expect(emulator.broker.peek(queue, 1, 10).map((m) => m.messageId)).toEqual(['m0', 'm1', 'm2']);
    close();
  });
});

describe('frames the server writes', () => {
  it('every performative carries its full field list, never list0, with a non-null max-frame-size', async () => {
    const queue = uniqueName('frames');
    emulator.broker.createQueue(queue, { requiresSession: false });
    const c = await RawClient.connect(emulator.amqpPort);
    await c.open();
    const open = c.frame('open')!;
    expect(open.performative.max_frame_size).toBeGreaterThanOrEqual(512);

    c.amqp(1, frames.begin({ next_outgoing_id: 0, incoming_window: 2048, outgoing_window: 2048 }));
    await c.waitFor(() => c.frame('begin'));
    // A link to an unknown entity: attach then detach with an error.
    c.amqp(1, frames.attach({ name: 'l1', handle: 0, role: true, source: rhea.types.wrap_list([]), target: null } as any));
    c.amqp(1, frames.attach({ name: 'l2', handle: 1, role: false, source: null, target: null } as any));
    await c.waitFor(() => c.frames.filter((f) => f.name === 'detach').length >= 2);
    c.amqp(1, frames.end({}));
    await c.waitFor(() => c.frame('end'));
    c.amqp(0, frames.close({}));
    await c.waitFor(() => c.frame('close'));
    expect(c.errors).toEqual([]);
    const seen = new Set<string>();
    for (const f of c.frames.filter((x) => x.type === 0 && x.code !== undefined)) {
      const [name, count] = FULL_FIELD_COUNT[f.code!]!;
      seen.add(name);
      expect({ name, encoding: f.encoding, count: f.count }).toEqual({ name, encoding: expect.not.stringMatching('list0'), count });
    }
    expect([...seen].sort()).toEqual(['attach', 'begin', 'close', 'detach', 'end', 'open']);
    c.close();
  });

  it('transfers, flows and dispositions of a real exchange are full length too', async () => {
    const queue = uniqueName('frames');
    emulator.broker.createQueue(queue);
    const tapped: Buffer[] = [];
    const { connection, close } = await rheaConnection(tapped);
    const sender = connection.open_sender({ target: { address: queue } });
    await once(sender, 'sendable');
    sender.send({ body: 'x', message_id: 'only' });
    await once(sender, 'accepted');
    const receiver = connection.open_receiver({ source: { address: queue }, credit_window: 0, autoaccept: false, rcv_settle_mode: 1 });
    receiver.add_credit(1);
    const got = await once(receiver, 'message');
    got.delivery.accept();
    await once(receiver, 'settled');
    close();
    const decoded = splitStream(Buffer.concat(tapped)).map(decodeStrict);
    const names = new Set(decoded.filter((f) => f.type === 0 && f.code !== undefined).map((f) => f.name));
    for (const name of ['open', 'begin', 'attach', 'flow', 'transfer', 'disposition']) expect(names).toContain(name);
    for (const f of decoded.filter((x) => x.type === 0 && x.code !== undefined)) {
      expect({ name: f.name, count: f.count }).toEqual({ name: f.name, count: FULL_FIELD_COUNT[f.code!]![1] });
    }
    const transfer = decoded.find((f) => f.name === 'transfer')!;
    expect(transfer.payload!.length).toBeGreaterThan(0);
  });
});

/** Splits what a server wrote into frames, skipping the protocol headers. */
function splitStream(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (bytes.toString('latin1', o, o + 4) === 'AMQP') {
      o += 8;
      continue;
    }
    const size = bytes.readUInt32BE(o);
    out.push(bytes.subarray(o, o + size));
    o += size;
  }
  return out;
}

describe('bad input', () => {
  it('garbage bytes close only that connection; another client keeps working', async () => {
    const queue = uniqueName('garbage');
    emulator.broker.createQueue(queue);
    const good = await rheaConnection();
    const sender = good.connection.open_sender({ target: { address: queue } });
    await once(sender, 'sendable');

    const bad = await RawClient.connect(emulator.amqpPort);
    bad.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await bad.waitClosed();

    sender.send({ body: 'still fine' });
    await once(sender, 'accepted');
    expect(emulator.broker.runtime(queue).activeMessageCount).toBe(1);
    good.close();
  });

  it('a wrong protocol header is answered with ours, then closed', async () => {
    const c = await RawClient.connect(emulator.amqpPort);
    c.header(2);
    await c.waitClosed();
    expect(c.headers[0]?.subarray(0, 4).toString()).toBe('AMQP');
  });

  it('an oversized frame is a framing error; an unknown performative a decode error', async () => {
    const big = await RawClient.connect(emulator.amqpPort);
    await big.open();
    const header = Buffer.alloc(8);
    header.writeUInt32BE(50 * 1024 * 1024, 0);
    header.writeUInt8(2, 4);
    big.write(header);
    await big.waitClosed();
    // The connection-error symbol of AMQP 1.0 section 2.8.16 (rhea's server wrote a shortened one).
    expect(big.frame('close')?.performative.error?.condition).toBe('amqp:connection:framing-error');

    const odd = await RawClient.connect(emulator.amqpPort);
    await odd.open();
    const described = rhea.types.described(rhea.types.wrap_ulong(0x30), rhea.types.wrap_list([1, 2]));
    odd.write(frames.write_frame(frames.amqp_frame(0, described)));
    await odd.waitClosed();
    expect(odd.frame('close')?.performative.error?.condition).toBe('amqp:decode-error');
  });

  it('a management request with a missing or mistyped field gets 400 argument-error', async () => {
    const queue = uniqueName('mgmt');
    emulator.broker.createQueue(queue);
    const { connection, close } = await rheaConnection();
    const replyTo = 'mgmt-reply';
    const receiver = connection.open_receiver({ source: { address: `${queue}/$management` }, target: { address: replyTo } });
    const sender = connection.open_sender({ target: { address: `${queue}/$management` } });
    await once(sender, 'sendable');
    const ask = async (operation: string, body: unknown) => {
      const reply = once(receiver, 'message');
      sender.send({ message_id: operation, reply_to: replyTo, application_properties: { operation }, body });
      return (await reply).message;
    };
    const missing = await ask('com.microsoft:renew-lock', {});
    expect(missing.application_properties).toMatchObject({ statusCode: 400, errorCondition: 'com.microsoft:argument-error' });
    const mistyped = await ask('com.microsoft:peek-message', { 'from-sequence-number': 'one', 'message-count': 1 });
    expect(mistyped.application_properties).toMatchObject({ statusCode: 400, errorCondition: 'com.microsoft:argument-error' });
    const notABody = await ask('com.microsoft:peek-message', 'not a map');
    expect(notABody.application_properties.statusCode).toBe(400);
    const unknown = await ask('com.microsoft:frobnicate', {});
    expect(unknown.application_properties).toMatchObject({ statusCode: 501 });
    const lockLost = await ask('com.microsoft:renew-lock', { 'lock-tokens': (rhea.types as any).wrap_array([Buffer.alloc(16, 1)], 0x98) });
    expect(lockLost.application_properties).toMatchObject({ statusCode: 410, errorCondition: 'com.microsoft:message-lock-lost' });
    const sessions = await ask('com.microsoft:get-message-sessions', { skip: 0, top: 10, 'last-updated-time': new Date(0) });
    expect(sessions.application_properties.statusCode).toBe(204);
    close();
  });

  it('accepts SASL MSSBCBS (.NET) and connections without SASL', async () => {
    const cbs = await RawClient.connect(emulator.amqpPort);
    await cbs.open('MSSBCBS');
    expect(cbs.frame('open')).toBeDefined();
    cbs.close();
    const plain = await RawClient.connect(emulator.amqpPort);
    plain.header(0);
    plain.amqp(0, frames.open({ container_id: 'no-sasl' }));
    await plain.waitFor(() => plain.frame('open'));
    plain.close();
  });

  it('refuses a link without a token with amqp:unauthorized-access', async () => {
    const queue = uniqueName('auth');
    emulator.broker.createQueue(queue);
    const container = rhea.create_container();
    const connection: any = container.connect({ host: '127.0.0.1', port: emulator.amqpPort, reconnect: false } as any);
    const sender = connection.open_sender({ target: { address: queue } });
    const ctx = await once(sender, 'sender_error');
    expect(ctx.sender.error.condition).toBe('amqp:unauthorized-access');
    connection.close();
  });
});
