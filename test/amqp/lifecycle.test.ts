/**
 * Connection-level behaviour the SDK tests cannot isolate: AMQPS with the emulator's CA, session
 * locks released the moment a connection drops, and the $management operations the JS SDK
 * 7.9.5 does not expose (get-message-sessions, batch-delete-messages, update-disposition).
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rhea from 'rhea';
import { generateSasToken } from '../../src/auth/sas.js';
import { startEmulator, type Emulator } from '../../src/index.js';
import { client, uniqueName } from '../sdk/harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    host: '127.0.0.1',
    amqpPort: 0,
    amqpsPort: 0,
    httpPort: 0,
    tlsDir: mkdtempSync(join(tmpdir(), 'sbemu-lifecycle-')),
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await emulator?.close();
});

const once = <T = any>(emitter: any, event: string, timeoutMs = 5000) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (ctx: T) => {
      clearTimeout(t);
      resolve(ctx);
    });
  });

/** A rhea connection with a namespace-wide token on $cbs; TLS when `ca` is given. */
async function connect(tlsCa?: string): Promise<any> {
  const container = rhea.create_container();
  const options: any = tlsCa
    ? { host: 'localhost', port: emulator.amqpsPort, transport: 'tls', ca: tlsCa, servername: 'localhost', reconnect: false }
    : { host: '127.0.0.1', port: emulator.amqpPort, reconnect: false };
  const connection: any = container.connect(options);
  await once(connection, 'connection_open');
  const receiver = connection.open_receiver({ source: { address: '$cbs' }, target: { address: 'cbs-reply' }, name: 'cbs-reply' });
  const sender = connection.open_sender({ target: { address: '$cbs' } });
  await once(sender, 'sendable');
  const audience = 'sb://localhost/';
  const reply = once(receiver, 'message');
  sender.send({
    message_id: 'put',
    reply_to: 'cbs-reply',
    application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience },
    body: generateSasToken(audience, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + 600),
  });
  expect((await reply).message.application_properties['status-code']).toBe(202);
  return connection;
}

describe('AMQPS', () => {
  it('serves AMQP over TLS with a certificate the emulator CA signs', async () => {
    const queue = uniqueName('tls');
    emulator.broker.createQueue(queue);
    const connection = await connect(readFileSync(emulator.caPath, 'utf8'));
    const sender = connection.open_sender({ target: { address: queue } });
    await once(sender, 'sendable');
    sender.send({ body: 'over tls' });
    await once(sender, 'accepted');
    expect(emulator.broker.runtime(queue).activeMessageCount).toBe(1);
    expect(connection.socket.encrypted).toBe(true);
    connection.close();
  });
});

describe('CBS token types', () => {
  async function putToken(type: string, token: string) {
    const container = rhea.create_container();
    const connection: any = container.connect({ host: '127.0.0.1', port: emulator.amqpPort, reconnect: false } as any);
    await once(connection, 'connection_open');
    const receiver = connection.open_receiver({ source: { address: '$cbs' }, target: { address: 'r' }, name: 'r' });
    const sender = connection.open_sender({ target: { address: '$cbs' } });
    await once(sender, 'sendable');
    const reply = once(receiver, 'message');
    sender.send({ message_id: 0, reply_to: 'r', application_properties: { operation: 'put-token', type, name: 'sb://localhost/q' }, body: token });
    const message = (await reply).message;
    connection.close();
    return message;
  }

  it('accepts an Entra ID (jwt) token without validation, echoing a numeric message id as correlation id', async () => {
    const res = await putToken('jwt', 'eyJhbGciOiJub25lIn0.eyJhdWQiOiJzYiJ9.');
    expect(res.application_properties['status-code']).toBe(202);
    expect(res.correlation_id).toBe(0);
  });

  it('validates a SAS token even when it is labelled jwt (as Python labels them)', async () => {
    const expiry = Math.floor(Date.now() / 1000) + 600;
    const wrong = await putToken('jwt', generateSasToken('sb://localhost/q', 'RootManageSharedAccessKey', 'not-the-key', expiry));
    expect(wrong.application_properties).toMatchObject({ 'status-code': 401, 'error-condition': 'amqp:unauthorized-access' });
    const right = await putToken('jwt', generateSasToken('sb://localhost/q', 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', expiry));
    expect(right.application_properties['status-code']).toBe(202);
    const expired = await putToken('servicebus.windows.net:sastoken', generateSasToken('sb://localhost/q', 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', expiry - 1200));
    expect(expired.application_properties['status-code']).toBe(401);
  });
});

describe('a dropped connection', () => {
  it('releases its session locks at once; message locks stay until they expire', async () => {
    const queue = uniqueName('drop');
    emulator.broker.createQueue(queue, { requiresSession: true });
    const sb = client(emulator);
    const sender = sb.createSender(queue);
    await sender.sendMessages([{ body: 1, sessionId: 's' }]);
    const connection = await connect();
    const receiver = connection.open_receiver({
      source: { address: queue, filter: { 'com.microsoft:session-filter': 's' } },
      credit_window: 0,
      autoaccept: false,
      rcv_settle_mode: 1,
    });
    await once(receiver, 'receiver_open');
    receiver.add_credit(1);
    await once(receiver, 'message');
    // Kill the socket without any AMQP goodbye.
    connection.socket.destroy();
    const started = Date.now();
    const again = await sb.acceptSession(queue, 's');
    expect(Date.now() - started).toBeLessThan(2000);
    const [m] = await again.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(m!.body).toBe(1);
    expect(m!.deliveryCount).toBe(1);
    await again.completeMessage(m!);
    await again.close();
    await sender.close();
    await sb.close();
  });
});

describe('the session filter', () => {
  it('"" names a session like any other (attached at once); only null asks for the next available one', async () => {
    const queue = uniqueName('empty-session');
    emulator.broker.createQueue(queue, { requiresSession: true });
    const connection = await connect();
    const sender = connection.open_sender({ target: { address: queue } });
    await once(sender, 'sendable');
    sender.send({ body: 'named', group_id: 'a' });
    sender.send({ body: 'empty', group_id: '' });
    for (let i = 0; i < 100 && emulator.broker.runtime(queue).activeMessageCount < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(emulator.broker.runtime(queue).activeMessageCount).toBe(2);
    const open = async (filter: unknown) => {
      const receiver = connection.open_receiver({ source: { address: queue, filter: { 'com.microsoft:session-filter': filter } }, autoaccept: false });
      await once(receiver, 'receiver_open');
      const { message } = await once(receiver, 'message');
      return { granted: receiver.remote.attach.source.filter['com.microsoft:session-filter'], body: message.body, sessionId: message.group_id };
    };
    const started = Date.now();
    expect(await open('')).toEqual({ granted: '', body: 'empty', sessionId: '' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await open(null)).toEqual({ granted: 'a', body: 'named', sessionId: 'a' });
    connection.close();
  });
});

describe('$management operations beyond the JS SDK surface', () => {
  async function managementPair(queue: string) {
    const connection = await connect();
    const replyTo = uniqueName('reply');
    const receiver = connection.open_receiver({ source: { address: `${queue}/$management` }, target: { address: replyTo } });
    const sender = connection.open_sender({ target: { address: `${queue}/$management` } });
    await once(sender, 'sendable');
    const ask = async (operation: string, body: unknown) => {
      const reply = once(receiver, 'message');
      sender.send({ message_id: `${operation}-${Math.random()}`, reply_to: replyTo, application_properties: { operation }, body });
      return (await reply).message;
    };
    return { ask, close: () => connection.close() };
  }

  it('get-message-sessions lists sessions with messages or state, with skip and top', async () => {
    const queue = uniqueName('sessions');
    emulator.broker.createQueue(queue, { requiresSession: true });
    const sb = client(emulator);
    const sender = sb.createSender(queue);
    await sender.sendMessages(['a', 'b', 'c'].map((id) => ({ body: id, sessionId: id })));
    const { ask, close } = await managementPair(queue);
    const first = await ask('com.microsoft:get-message-sessions', { skip: 0, top: 2, 'last-updated-time': new Date(0) });
    expect(first.application_properties.statusCode).toBe(200);
    expect(first.body['sessions-ids']).toEqual(['a', 'b']);
    expect(first.body.skip).toBe(2);
    const rest = await ask('com.microsoft:get-message-sessions', { skip: 2, top: 2, 'last-updated-time': new Date(0) });
    expect(rest.body['sessions-ids']).toEqual(['c']);
    close();
    await sender.close();
    await sb.close();
  });

  it('batch-delete-messages deletes by count, then answers 204 message-not-found', async () => {
    const queue = uniqueName('purge');
    emulator.broker.createQueue(queue);
    const sb = client(emulator);
    const sender = sb.createSender(queue);
    await sender.sendMessages([1, 2, 3].map((body) => ({ body })));
    const { ask, close } = await managementPair(queue);
    const deleted = await ask('com.microsoft:batch-delete-messages', { 'message-count': 2, 'enqueued-time-utc': new Date(Date.now() + 60_000) });
    expect(deleted.application_properties.statusCode).toBe(200);
    expect(deleted.body['message-count']).toBe(2);
    expect(emulator.broker.runtime(queue).activeMessageCount).toBe(1);
    await ask('com.microsoft:batch-delete-messages', { 'message-count': 5, 'enqueued-time-utc': new Date(Date.now() + 60_000) });
    const none = await ask('com.microsoft:batch-delete-messages', { 'message-count': 5, 'enqueued-time-utc': new Date(Date.now() + 60_000) });
    expect(none.application_properties).toMatchObject({ statusCode: 204, errorCondition: 'com.microsoft:message-not-found' });
    close();
    await sender.close();
    await sb.close();
  });

  it('update-disposition settles by lock token after the receiving link is gone', async () => {
    const queue = uniqueName('dispose');
    emulator.broker.createQueue(queue);
    const sb = client(emulator);
    const sender = sb.createSender(queue);
    await sender.sendMessages([{ body: 'x' }, { body: 'y' }]);
    const receiver = sb.createReceiver(queue);
    const [x, y] = await receiver.receiveMessages(2, { maxWaitTimeInMs: 2000 });
    await receiver.close();
    const { ask, close } = await managementPair(queue);
    const token = (m: any) => (rhea as any).string_to_uuid(m.lockToken);
    const done = await ask('com.microsoft:update-disposition', { 'disposition-status': 'completed', 'lock-tokens': (rhea.types as any).wrap_array([token(x)], 0x98) });
    expect(done.application_properties.statusCode).toBe(200);
    const dead = await ask('com.microsoft:update-disposition', {
      'disposition-status': 'suspended',
      'lock-tokens': (rhea.types as any).wrap_array([token(y)], 0x98),
      'deadletter-reason': 'why',
      'deadletter-description': 'because',
    });
    expect(dead.application_properties.statusCode).toBe(200);
    expect(emulator.broker.runtime(queue)).toMatchObject({ activeMessageCount: 0, deadLetterMessageCount: 1 });
    expect(emulator.broker.peek(`${queue}/$DeadLetterQueue`, 1, 1)[0]!.deadLetterReason).toBe('why');
    const again = await ask('com.microsoft:update-disposition', { 'disposition-status': 'completed', 'lock-tokens': (rhea.types as any).wrap_array([token(x)], 0x98) });
    expect(again.application_properties).toMatchObject({ statusCode: 410, errorCondition: 'com.microsoft:message-lock-lost' });
    close();
    await sender.close();
    await sb.close();
  });
});
