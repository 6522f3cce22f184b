/**
 * The healthy client: the official JS SDK on its own connection, sending and receiving for as
 * long as the fuzzer runs. A message's round trip is from just before sendMessages() to its
 * arrival in the subscribe() handler, which then completes it (peek-lock), so settlement is on
 * the measured path too. Any error the SDK reports, a message that never arrives and a message
 * that arrives twice all count as errors.
 *
 * The janitor is a second SDK client that drains the fuzzed queues' dead-letter queues
 * (receive-and-delete), so that replays that dead-letter keep finding room (see entities.ts).
 */
import { ServiceBusClient, type ServiceBusReceiver } from '@azure/service-bus';
import { connectionString, FUZZ } from './entities.js';

export interface HealthyReport {
  sent: number;
  received: number;
  errors: string[];
  /** Round trips in ms, in arrival order. */
  roundTrips: number[];
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the healthy client; stop() waits for the messages in flight and reports. */
export async function startHealthy(port: number, intervalMs = 20) {
  const sb = new ServiceBusClient(connectionString(port), { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
  const report: HealthyReport = { sent: 0, received: 0, errors: [], roundTrips: [] };
  const error = (where: string, e: unknown) => {
    if (report.errors.length < 50) report.errors.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const inFlight = new Map<number, number>();
  const receiver = sb.createReceiver(FUZZ.healthyQueue);
  const subscription = receiver.subscribe(
    {
      processMessage: async (m) => {
        const id = Number(m.body?.n);
        const sentAt = inFlight.get(id);
        if (sentAt === undefined) return error('receive', `unexpected or duplicate message ${JSON.stringify(m.body)}`);
        inFlight.delete(id);
        report.roundTrips.push(performance.now() - sentAt);
        report.received++;
      },
      processError: async (args) => error(`subscribe (${args.errorSource})`, args.error),
    },
    { maxConcurrentCalls: 10 },
  );
  const sender = sb.createSender(FUZZ.healthyQueue);
  // A first message proves the links are up before the fuzzer starts and the clock runs.
  let n = 0;
  const sendOne = async () => {
    const id = n++;
    inFlight.set(id, performance.now());
    try {
      await sender.sendMessages({ body: { n: id } });
      report.sent++;
    } catch (e) {
      inFlight.delete(id);
      error('send', e);
    }
  };
  await sendOne();
  for (let t = Date.now(); inFlight.size > 0 && Date.now() - t < 10_000; ) await sleep(10);
  if (inFlight.size > 0) error('warm-up', 'the first message never arrived');
  report.roundTrips.length = 0;

  let running = true;
  const loop = (async () => {
    while (running) {
      await sendOne();
      await sleep(intervalMs);
    }
  })();

  return {
    report,
    async stop(): Promise<HealthyReport> {
      running = false;
      await loop;
      for (let t = Date.now(); inFlight.size > 0 && Date.now() - t < 10_000; ) await sleep(20);
      if (inFlight.size > 0) error('receive', `${inFlight.size} message(s) never arrived`);
      await subscription.close();
      await receiver.close();
      await sender.close();
      await sb.close();
      return report;
    },
  };
}

/** Drains the dead-letter queues of the fuzzed entities for as long as the run lasts. */
export function startJanitor(port: number) {
  const sb = new ServiceBusClient(connectionString(port), { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
  const errors: string[] = [];
  const receivers: ServiceBusReceiver[] = [
    sb.createReceiver(FUZZ.queue, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' }),
    sb.createReceiver(FUZZ.sessionQueue, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' }),
    sb.createReceiver(FUZZ.topic, FUZZ.subscription, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' }),
  ];
  let drained = 0;
  const subs = receivers.map((r) =>
    r.subscribe({
      processMessage: async () => void drained++,
      processError: async (args) => void (errors.length < 20 && errors.push(`janitor: ${args.error.message}`)),
    }),
  );
  return {
    errors,
    drained: () => drained,
    async stop() {
      await Promise.all(subs.map((s) => s.close()));
      await Promise.all(receivers.map((r) => r.close()));
      await sb.close();
    },
  };
}

/** After the run: a new client on a new connection still sends and receives. */
export async function freshRoundTrip(port: number): Promise<void> {
  const sb = new ServiceBusClient(connectionString(port), { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
  try {
    const body = `fresh-${Date.now()}`;
    await sb.createSender(FUZZ.healthyQueue).sendMessages({ body });
    const receiver = sb.createReceiver(FUZZ.healthyQueue, { receiveMode: 'receiveAndDelete' });
    const got = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    if (got[0]?.body !== body) throw new Error(`fresh round trip: got ${JSON.stringify(got[0]?.body)} instead of ${body}`);
  } finally {
    await sb.close();
  }
}
