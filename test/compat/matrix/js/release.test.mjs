// The release matrix's scenarios for one @azure/service-bus release, run with `node --test` by ../run.sh under
// ../with_emulator.py (which provides the SBEMU_* variables). Test names match the other languages' (results.py
// maps them to rows). SBEMU_JS_SDK_DIR is the package dir whose node_modules holds the release under test: this
// dir for 7.8.x (its own package.json and lockfile), the repository root for 7.9.5 (the root's dev dependency).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';

const sdkRequire = createRequire(path.join(path.resolve(process.env.SBEMU_JS_SDK_DIR), 'package.json'));
const { ServiceBusClient } = sdkRequire('@azure/service-bus');
const sdkVersion = sdkRequire('@azure/service-bus/package.json').version;

let sb;
before(() => {
  const options = { retryOptions: { maxRetries: 1 } }; // an incompatible release fails in seconds, not minutes
  if (process.env.SBEMU_CONNECT === 'amqps') {
    // 7.8.x (core-amqp 3.x) predates UseDevelopmentEmulator: it ignores it, always speaks TLS, takes the endpoint's
    // "localhost:PORT" for a host name (ENOTFOUND) and dials 5671 unless a custom endpoint address gives host and
    // port. So: the custom endpoint at the emulator's AMQPS port, its CA trusted via NODE_EXTRA_CA_CERTS.
    options.customEndpointAddress = `sb://localhost:${process.env.SBEMU_AMQPS_PORT}`;
  }
  sb = new ServiceBusClient(process.env.SBEMU_CONNECTION_STRING, options);
});
after(() => sb?.close());

/** Up to `count` messages: one receiveMessages call may return fewer than asked for. */
async function receive(receiver, count, ms = 15_000) {
  const got = [];
  const deadline = Date.now() + ms;
  while (got.length < count && Date.now() < deadline) {
    got.push(...(await receiver.receiveMessages(count - got.length, { maxWaitTimeInMs: 2_000 })));
  }
  return got;
}

async function nothingLeft(receiver) {
  return (await receiver.receiveMessages(1, { maxWaitTimeInMs: 1_000 })).length === 0;
}

async function send(queue, messages) {
  const sender = sb.createSender(queue);
  try {
    await sender.sendMessages(messages);
  } finally {
    await sender.close();
  }
}

test('sdk version', () => {
  assert.equal(sdkVersion, process.env.SBEMU_SDK_VERSION);
});

test('send', async () => {
  // A single message and a batch; all three arrive, in order.
  const sender = sb.createSender('send');
  await sender.sendMessages({ body: 'single' });
  const batch = await sender.createMessageBatch();
  assert.ok(batch.tryAddMessage({ body: 'batch-1' }) && batch.tryAddMessage({ body: 'batch-2' }));
  await sender.sendMessages(batch);
  await sender.close();
  const receiver = sb.createReceiver('send', { receiveMode: 'receiveAndDelete' });
  assert.deepEqual((await receive(receiver, 3)).map((m) => m.body), ['single', 'batch-1', 'batch-2']);
  await receiver.close();
});

test('peek', async () => {
  // Peek (a $management request) neither locks nor removes: the message is still there to receive.
  await send('peek', { body: 'peeked' });
  const receiver = sb.createReceiver('peek');
  assert.deepEqual((await receiver.peekMessages(10)).map((m) => m.body), ['peeked']);
  const [msg] = await receive(receiver, 1);
  assert.equal(msg?.body, 'peeked');
  await receiver.completeMessage(msg);
  await receiver.close();
});

test('peek-lock complete', async () => {
  await send('peek-lock', { body: 'locked', messageId: 'm-1', applicationProperties: { k: 'v' } });
  const receiver = sb.createReceiver('peek-lock');
  const [msg] = await receive(receiver, 1);
  assert.deepEqual([msg?.body, msg?.messageId, msg?.deliveryCount, msg?.applicationProperties?.k],
    ['locked', 'm-1', 0, 'v']);
  await receiver.completeMessage(msg);
  assert.ok(await nothingLeft(receiver), 'completed: gone, not redelivered');
  await receiver.close();
});

test('receive-and-delete', async () => {
  await send('receive-and-delete', [{ body: 'rd-1' }, { body: 'rd-2' }]);
  const receiver = sb.createReceiver('receive-and-delete', { receiveMode: 'receiveAndDelete' });
  assert.deepEqual((await receive(receiver, 2)).map((m) => m.body), ['rd-1', 'rd-2']);
  assert.ok(await nothingLeft(receiver));
  await receiver.close();
});

test('named session', async () => {
  // Accept one session by id: its messages in order, not another session's; complete one, dead-letter one.
  await send('session-named', [
    { body: 'alpha-1', sessionId: 'alpha' }, { body: 'beta-1', sessionId: 'beta' }, { body: 'alpha-2', sessionId: 'alpha' },
  ]);
  const receiver = await sb.acceptSession('session-named', 'alpha');
  assert.equal(receiver.sessionId, 'alpha');
  const [first, second] = await receive(receiver, 2);
  assert.deepEqual([first?.body, second?.body], ['alpha-1', 'alpha-2']);
  await receiver.completeMessage(first);
  await receiver.deadLetterMessage(second, { deadLetterReason: 'matrix', deadLetterErrorDescription: 'dead-lettered by the matrix' });
  assert.ok(await nothingLeft(receiver));
  await receiver.close();
  const dlq = sb.createReceiver('session-named', { subQueueType: 'deadLetter' });
  const [dead] = await receive(dlq, 1);
  assert.deepEqual([dead?.body, dead?.deadLetterReason, dead?.sessionId], ['alpha-2', 'matrix', 'alpha']);
  await dlq.completeMessage(dead);
  await dlq.close();
});

test('next available session', async () => {
  // Accept whichever session has messages; abandon puts the message back, it comes again, then complete.
  await send('session-next', { body: 'gamma-1', sessionId: 'gamma' });
  const receiver = await sb.acceptNextSession('session-next');
  assert.equal(receiver.sessionId, 'gamma');
  const [msg] = await receive(receiver, 1);
  await receiver.abandonMessage(msg);
  const [again] = await receive(receiver, 1);
  assert.deepEqual([again?.body, again?.deliveryCount], ['gamma-1', msg.deliveryCount + 1]);
  await receiver.completeMessage(again);
  assert.ok(await nothingLeft(receiver));
  await receiver.close();
});
