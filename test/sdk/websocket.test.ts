/**
 * @azure/service-bus over WebSockets (webSocketOptions with the `ws` package), against the real
 * emulator: the SDK dials wss://<host>:<port>/$servicebus/websocket with subprotocol AMQPWSB10,
 * port 443 unless the endpoint or customEndpointAddress names one, and always over TLS (it
 * ignores UseDevelopmentEmulator then), so the emulator's CA goes in the constructor options.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceBusClient, type ServiceBusClientOptions } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../../src/index.js';
import { uniqueName } from './harness.js';

let emulator: Emulator;
let ca: Buffer;
beforeAll(async () => {
  emulator = await startEmulator({
    host: '127.0.0.1',
    amqpPort: 0,
    amqpsPort: null,
    httpPort: 0,
    wsPort: 0,
    tlsDir: mkdtempSync(join(tmpdir(), 'sbemu-sdk-ws-')),
    logLevel: process.env.SBEMU_TEST_LOG_LEVEL ?? 'silent',
  });
  ca = readFileSync(emulator.caPath);
});
afterAll(async () => {
  await emulator?.close();
});

const webSocketOptions = (): ServiceBusClientOptions => ({
  webSocketOptions: { webSocket: WebSocket, webSocketConstructorOptions: { ca } },
  retryOptions: { maxRetries: 0, timeoutInMs: 10_000 },
});

const routes: Array<[string, () => ServiceBusClient]> = [
  // The admin connection string names the admin port, which serves the WebSocket path too.
  ['the admin port (port from the connection string)', () => new ServiceBusClient(emulator.adminConnectionString, webSocketOptions())],
  // customEndpointAddress: where a client that would dial 443 is sent instead (the --ws-port listener).
  [
    'the WebSocket port (customEndpointAddress)',
    () => new ServiceBusClient(emulator.connectionString, { ...webSocketOptions(), customEndpointAddress: `https://localhost:${emulator.wsPort}` }),
  ],
];

describe.each(routes)('JS SDK over WebSockets via %s', (_name, connect) => {
  it('sends, receives with peek-lock, completes; batches and receive-and-delete too', async () => {
    const queue = uniqueName('ws');
    emulator.broker.createQueue(queue);
    const sb = connect();
    try {
      const sender = sb.createSender(queue);
      await sender.sendMessages({ body: 'one', applicationProperties: { via: 'websocket' } });
      const batch = await sender.createMessageBatch();
      for (const body of ['two', 'three']) expect(batch.tryAddMessage({ body })).toBe(true);
      await sender.sendMessages(batch);

      const receiver = sb.createReceiver(queue);
      const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
      expect(first!.body).toBe('one');
      expect(first!.applicationProperties).toEqual({ via: 'websocket' });
      await receiver.completeMessage(first!);
      await receiver.close();

      const deleting = sb.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
      const rest = await deleting.receiveMessages(2, { maxWaitTimeInMs: 5000 });
      expect(rest.map((m) => m.body)).toEqual(['two', 'three']);
      expect(emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    } finally {
      await sb.close();
    }
  });

  it('sessions: a named session in order with state, then the next available one', async () => {
    const queue = uniqueName('ws-s');
    emulator.broker.createQueue(queue, { requiresSession: true });
    const sb = connect();
    try {
      const sender = sb.createSender(queue);
      await sender.sendMessages([1, 2, 3].map((n) => ({ body: `a${n}`, sessionId: 'a' })));
      await sender.sendMessages({ body: 'b1', sessionId: 'b' });

      const a = await sb.acceptSession(queue, 'a');
      const got = await a.receiveMessages(3, { maxWaitTimeInMs: 5000 });
      expect(got.map((m) => m.body)).toEqual(['a1', 'a2', 'a3']);
      for (const m of got) await a.completeMessage(m);
      await a.setSessionState('done');
      expect((await a.getSessionState()).toString()).toBe('done');
      await a.close();

      const next = await sb.acceptNextSession(queue, { maxAutoLockRenewalDurationInMs: 0 });
      expect(next.sessionId).toBe('b');
      const [b1] = await next.receiveMessages(1, { maxWaitTimeInMs: 5000 });
      expect(b1!.body).toBe('b1');
      await next.completeMessage(b1!);
      await next.close();
      expect(emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    } finally {
      await sb.close();
    }
  });
});
