/**
 * Starts the real emulator in-process (startEmulator, as users' global setups do) on free ports
 * for SDK tests, and gives each test its own entity names so tests never see each other's messages.
 */
import { randomUUID } from 'node:crypto';
import { ServiceBusClient, type ServiceBusClientOptions } from '@azure/service-bus';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';

export type { Emulator };

export async function startTestEmulator(): Promise<Emulator> {
  return startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: process.env.SBEMU_TEST_LOG_LEVEL ?? 'silent' });
}

/**
 * An emulator with two namespace policies besides the default: `sender` / `send-key` (Send) and
 * `listener` / `listen-key` (Listen), for authorization tests.
 */
export async function startEmulatorWithPolicies(options: { amqpAuthTimeoutMs?: number } = {}): Promise<Emulator> {
  return startEmulator({
    host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent',
    ...options,
    config: {
      UserConfig: { Namespaces: [{ Name: 'sbemulatorns', Queues: [], Topics: [] }], Logging: { Type: 'Console' } },
      Emulator: {
        SharedAccessKeys: [
          { KeyName: 'sender', Key: 'send-key', Rights: ['Send'] },
          { KeyName: 'listener', Key: 'listen-key', Rights: ['Listen'] },
        ],
      },
    } as never,
  });
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export function client(emulator: Emulator, options: ServiceBusClientOptions = {}): ServiceBusClient {
  return new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 }, ...options });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One emulator and one client for a test file: started before its tests, closed after them. */
export interface SharedEmulator {
  readonly emulator: Emulator;
  readonly sb: ServiceBusClient;
  /** A queue of its own for one test. */
  newQueue(props?: Parameters<Emulator['broker']['createQueue']>[1]): string;
  /** Sends through a sender opened and closed for the purpose. */
  send(entity: string, messages: Parameters<ReturnType<ServiceBusClient['createSender']>['sendMessages']>[0]): Promise<void>;
}

export function useSharedEmulator(start: () => Promise<Emulator> = startTestEmulator): SharedEmulator {
  let emulator: Emulator | undefined;
  let sb: ServiceBusClient | undefined;
  beforeAll(async () => {
    emulator = await start();
    sb = client(emulator);
  });
  afterAll(async () => {
    await sb?.close();
    await emulator?.close();
  });
  const env: SharedEmulator = {
    get emulator() {
      return emulator!;
    },
    get sb() {
      return sb!;
    },
    newQueue(props = {}) {
      const name = uniqueName('q');
      env.emulator.broker.createQueue(name, props);
      return name;
    },
    async send(entity, messages) {
      const sender = env.sb.createSender(entity);
      await sender.sendMessages(messages);
      await sender.close();
    },
  };
  return env;
}
