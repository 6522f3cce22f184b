/**
 * A Premium namespace from Config.json (`Sku`), seen through @azure/service-bus over AMQP: the
 * per-entity MaxMessageSizeInKilobytes is what a send may carry (issue 11 item 14); and a missing
 * entity is named sb://host/path on the AMQP side too (item 20).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isServiceBusError, type ServiceBusClient } from '@azure/service-bus';
import { startEmulator } from '../../src/index.js';
import { client, type Emulator } from './harness.js';

let emulator: Emulator;
let sb: ServiceBusClient;
beforeAll(async () => {
  emulator = await startEmulator({
    host: '127.0.0.1',
    amqpPort: 0,
    amqpsPort: null,
    httpPort: 0,
    logLevel: 'silent',
    config: {
      UserConfig: {
        Namespaces: [{ Name: 'premium', Sku: 'Premium', Queues: [{ Name: 'two-mb', Properties: { MaxMessageSizeInKilobytes: 2048 } }, { Name: 'default' }] }],
      },
    },
  });
  sb = client(emulator);
});
afterAll(async () => {
  await sb?.close();
  await emulator?.close();
});

async function sendError(queue: string, bytes: number): Promise<unknown> {
  const sender = sb.createSender(queue);
  try {
    await sender.sendMessages({ body: Buffer.alloc(bytes, 1) });
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await sender.close();
  }
}

describe('Premium namespace', () => {
  it('takes messages above Standard’s 256 KB up to the entity’s size, and refuses larger ones', async () => {
    expect(emulator.broker.sku).toBe('Premium');
    expect(emulator.broker.getQueue('default').properties.maxMessageSizeInKilobytes).toBe(1024);
    expect(await sendError('two-mb', 1500 * 1024)).toBeUndefined();
    expect(emulator.broker.runtime('two-mb').activeMessageCount).toBe(1);
    const tooBig = await sendError('two-mb', 2100 * 1024);
    expect(isServiceBusError(tooBig) ? tooBig.code : tooBig).toBe('MessageSizeExceeded');
    const overDefault = await sendError('default', 1100 * 1024);
    expect(isServiceBusError(overDefault) ? overDefault.code : overDefault).toBe('MessageSizeExceeded');
    expect(emulator.broker.runtime('default').activeMessageCount).toBe(0);
  });

  it('names a missing entity sb://host/path when a link to it is refused', async () => {
    const e = await sendError('no-such-queue', 10);
    expect(isServiceBusError(e) ? e.code : e).toBe('MessagingEntityNotFound');
    expect((e as Error).message).toMatch(/The messaging entity 'sb:\/\/[^/']+\/no-such-queue' could not be found/);
  });
});
