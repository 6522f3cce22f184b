/**
 * Entity-level SAS policies over AMQP, in raw frames: a CBS token or SASL PLAIN credentials with
 * a queue's or topic's own key reach that entity (and its subscriptions) only, with the policy's
 * rights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/index.js';
import type { Emulator } from '../sdk/harness.js';
import { Raw, encodeMessage } from './engineClient.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent',
    config: {
      UserConfig: {
        Namespaces: [{
          Name: 'sbemulatorns',
          Queues: [
            { Name: 'orders', AuthorizationRules: [{ KeyName: 'orders-send', PrimaryKey: 'orders-key', SecondaryKey: 'orders-key-2', Rights: ['Send'] }] },
            { Name: 'other' },
          ],
          Topics: [{ Name: 'events', Subscriptions: [{ Name: 's1' }], AuthorizationRules: [{ KeyName: 'events-listen', PrimaryKey: 'events-key', Rights: ['Listen'] }] }],
        }],
      },
    },
  });
});
afterAll(async () => {
  await emulator?.close();
});

const detachOf = async (raw: Raw, name: string) => {
  const h = await raw.handleOf(name);
  return raw.c.waitFor(() => raw.frames('detach').find((f) => f.performative.handle === h), 5000);
};

describe('a CBS token signed with an entity policy', () => {
  it('is accepted for its entity, and lets a sender in', async () => {
    const raw = await Raw.connect(emulator.amqpPort);
    expect(await raw.putToken({ keyName: 'orders-send', key: 'orders-key-2', audiencePath: 'orders' })).toBe(202);
    raw.attach(0, 's', 'sender', { target: { address: 'orders' } });
    await raw.credited('s');
    raw.transfer(0, 0, encodeMessage({ body: 'with the entity key' }));
    await raw.c.waitFor(() => emulator.broker.runtime('orders').activeMessageCount >= 1 || undefined);
    raw.close();
  });

  it('is refused (401) for another entity or for the whole namespace', async () => {
    const raw = await Raw.connect(emulator.amqpPort);
    expect(await raw.putToken({ keyName: 'orders-send', key: 'orders-key', audiencePath: 'other' })).toBe(401);
    expect(await raw.putToken({ keyName: 'orders-send', key: 'orders-key' })).toBe(401);
    raw.close();
  });

  it("grants only the policy's rights: a Send policy cannot receive from its own queue", async () => {
    const raw = await Raw.connect(emulator.amqpPort);
    expect(await raw.putToken({ keyName: 'orders-send', key: 'orders-key', audiencePath: 'orders' })).toBe(202);
    raw.attach(0, 'r', 'receiver', { source: { address: 'orders' }, target: { address: 'me' } });
    expect((await detachOf(raw, 'r')).performative.error?.condition).toBe('amqp:unauthorized-access');
    raw.close();
  });
});

describe('SASL PLAIN with an entity policy', () => {
  it("reaches the policy's topic subscriptions, and nothing else", async () => {
    const raw = await Raw.connect(emulator.amqpPort, { mechanism: 'PLAIN', user: 'events-listen', password: 'events-key' });
    raw.attach(0, 'sub', 'receiver', { source: { address: 'events/Subscriptions/s1' }, target: { address: 'me' } });
    raw.attach(1, 'q', 'receiver', { source: { address: 'other' }, target: { address: 'me2' } });
    expect((await detachOf(raw, 'q')).performative.error?.condition).toBe('amqp:unauthorized-access');
    const sub = raw.frames('attach').find((f) => f.performative.name === 'sub' && f.performative.source);
    expect(sub).toBeTruthy();
    expect(raw.frames('detach').some((f) => f.performative.handle === 0)).toBe(false);
    raw.close();
  });

  it('a wrong key for the policy is refused at SASL', async () => {
    const raw = await Raw.connect(emulator.amqpPort, { mechanism: 'PLAIN', user: 'events-listen', password: 'orders-key' });
    const outcome = raw.c.frames.find((f) => f.type === 1 && f.code === 0x44)!;
    expect(outcome.performative.code).toBe(1);
    await raw.c.waitClosed();
  });
});
