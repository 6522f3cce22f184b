/**
 * Authorization through the official JS SDK: a wrong key, Send-only and Listen-only policies
 * (links and $management operations), and a token that expires with nothing to renew it.
 */
import { ServiceBusClient, isServiceBusError } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSasToken } from '../../src/auth/sas.js';
import { sleep, startEmulatorWithPolicies, uniqueName, type Emulator } from './harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulatorWithPolicies();
});
afterAll(async () => {
  await emulator?.close();
});

const connectionString = (keyName: string, key: string) =>
  `Endpoint=sb://localhost:${emulator.amqpPort};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true;`;

const sdk = (cs: string) => new ServiceBusClient(cs, { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } });

async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isServiceBusError(e) ? e.code : (e as any)?.code ?? String(e);
  }
}

const queue = () => {
  const q = uniqueName('sdk-auth');
  emulator.broker.createQueue(q);
  return q;
};

describe('the official JS SDK and authorization', () => {
  it('a wrong key cannot send', async () => {
    const client = sdk(connectionString('RootManageSharedAccessKey', 'wrong'));
    const code = await errorCode(client.createSender(queue()).sendMessages({ body: 'x' }));
    expect(code).toBe('UnauthorizedAccess');
    await client.close();
  });

  it('a Send-only policy sends but cannot receive or peek', async () => {
    const q = queue();
    const client = sdk(connectionString('sender', 'send-key'));
    await client.createSender(q).sendMessages({ body: 'sent with Send' });
    expect(emulator.broker.runtime(q).activeMessageCount).toBe(1);
    const receiver = client.createReceiver(q);
    expect(await errorCode(receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 }))).toBe('UnauthorizedAccess');
    expect(await errorCode(client.createReceiver(q).peekMessages(1))).toBe('UnauthorizedAccess');
    await client.close();
  });

  it('a Listen-only policy receives but cannot send or schedule', async () => {
    const q = queue();
    const admin = sdk(emulator.connectionString);
    await admin.createSender(q).sendMessages({ body: 'for a listener' });
    const client = sdk(connectionString('listener', 'listen-key'));
    const [m] = await client.createReceiver(q).receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(m?.body).toBe('for a listener');
    expect(await errorCode(client.createSender(q).sendMessages({ body: 'nope' }))).toBe('UnauthorizedAccess');
    expect(await errorCode(client.createSender(q).scheduleMessages({ body: 'later' }, new Date(Date.now() + 60_000)))).toBe('UnauthorizedAccess');
    await client.close();
    await admin.close();
  });

  it('a token that expires unrenewed stops the sender', async () => {
    const q = queue();
    const audience = `sb://localhost:${emulator.amqpPort}/`;
    const token = generateSasToken(audience, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + 2);
    const client = sdk(`Endpoint=sb://localhost:${emulator.amqpPort};SharedAccessSignature=${token};UseDevelopmentEmulator=true;`);
    const sender = client.createSender(q);
    await sender.sendMessages({ body: 'before expiry' });
    await sleep(3000);
    expect(await errorCode(sender.sendMessages({ body: 'after expiry' }))).toBe('UnauthorizedAccess');
    expect(emulator.broker.runtime(q).activeMessageCount).toBe(1);
    await client.close();
  });
});
