/**
 * The entities a fuzz run needs, as a Config.json: the same file serves the in-process emulator
 * (npm test) and the `node dist/cli.js` child (npm run fuzz), so captures and replays see the same
 * names in both.
 *
 * The fuzzed queues are bounded on purpose: replayed captures send messages and dead-letter some,
 * for as long as the run lasts, and a run that filled the broker would measure our own backlog
 * instead of the AMQP layer. A short TTL drains the main queues (the broker expires messages on a
 * timer) and the janitor (healthy.ts) drains the dead-letter queues. MaxSizeInMegabytes 2 is the
 * hard cap whatever happens: the quota counts message bytes, and a broker record costs more than
 * the bytes of a small message, so 2 MB of 64-byte messages is already some 50 MB of heap.
 * MaxDeliveryCount 1000 keeps replayed abandons from dead-lettering.
 */
import type { ConfigFile, QueuePropertiesFile } from '../../src/index.js';

export const FUZZ = {
  queue: 'fuzz-q',
  sessionQueue: 'fuzz-sq',
  topic: 'fuzz-t',
  subscription: 'fuzz-s',
  /** Only the healthy client uses it: a replayed capture never names it. */
  healthyQueue: 'fuzz-healthy',
} as const;

const bounded: QueuePropertiesFile = {
  DefaultMessageTimeToLive: 'PT20S',
  LockDuration: 'PT30S',
  MaxDeliveryCount: 1000,
  MaxSizeInMegabytes: 2,
};

export const FUZZ_CONFIG: ConfigFile = {
  UserConfig: {
    Namespaces: [
      {
        Name: 'sbemulatorns',
        Queues: [
          { Name: FUZZ.queue, Properties: bounded },
          { Name: FUZZ.sessionQueue, Properties: { ...bounded, RequiresSession: true } },
          { Name: FUZZ.healthyQueue, Properties: { LockDuration: 'PT30S' } },
        ],
        Topics: [
          {
            Name: FUZZ.topic,
            Properties: { DefaultMessageTimeToLive: 'PT20S', MaxSizeInMegabytes: 2 },
            Subscriptions: [{ Name: FUZZ.subscription, Properties: { DefaultMessageTimeToLive: 'PT20S', MaxDeliveryCount: 1000 } }],
          },
        ],
      },
    ],
  },
};

export const connectionString = (port: number) =>
  `Endpoint=sb://localhost:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`;
