/**
 * Long-lived receivers with the JS SDK: more deliveries on one link (one AMQP session) than
 * rhea's session window of 2,048 slots. The SDK settles with rcv-settle-mode second: it sends an
 * unsettled `accepted`, waits for our settled disposition and then forgets the delivery without
 * another frame, so the emulator must free a slot once it has settled, not when the client also
 * says "settled". Before that fix every receiver here stopped at exactly 2,048 messages.
 */
import { describe, expect, it } from 'vitest';
import type { ServiceBusMessage, ServiceBusReceiver, ServiceBusSender } from '@azure/service-bus';
import { uniqueName, useSharedEmulator } from './harness.js';

const env = useSharedEmulator();

async function sendMany(sender: ServiceBusSender, count: number, extra: Partial<ServiceBusMessage> = {}): Promise<void> {
  let sent = 0;
  while (sent < count) {
    const batch = await sender.createMessageBatch();
    while (sent < count && batch.tryAddMessage({ body: sent, ...extra })) sent++;
    await sender.sendMessages(batch);
  }
}

/** Receives and completes until `total` are done; fails when three batches in a row come back empty. */
async function receiveAndComplete(receiver: ServiceBusReceiver, total: number): Promise<number> {
  let done = 0;
  let empty = 0;
  while (done < total) {
    const messages = await receiver.receiveMessages(500, { maxWaitTimeInMs: 1000 });
    if (messages.length === 0) {
      if (++empty === 3) throw new Error(`receiving stalled after ${done} of ${total} messages`);
      continue;
    }
    empty = 0;
    await Promise.all(messages.map((m) => receiver.completeMessage(m)));
    done += messages.length;
  }
  return done;
}

describe('more deliveries on one receiver than the session window holds', () => {
  it('receiveMessages: one receiver completes 10,000 messages', async () => {
    const queue = uniqueName('many');
    env.emulator.broker.createQueue(queue);
    const sender = env.sb.createSender(queue);
    await sendMany(sender, 10_000);
    await sender.close();
    const receiver = env.sb.createReceiver(queue);
    expect(await receiveAndComplete(receiver, 10_000)).toBe(10_000);
    await receiver.close();
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
  }, 120_000);

  it('subscribe: one receiver completes 10,000 messages', async () => {
    const queue = uniqueName('many-sub');
    env.emulator.broker.createQueue(queue);
    const sender = env.sb.createSender(queue);
    await sendMany(sender, 10_000);
    await sender.close();
    const receiver = env.sb.createReceiver(queue);
    let done = 0;
    let lastProgress = Date.now();
    const errors: unknown[] = [];
    const subscription = receiver.subscribe(
      {
        processMessage: async () => {
          done++;
          lastProgress = Date.now();
        },
        processError: async (args) => {
          errors.push(args.error);
        },
      },
      { maxConcurrentCalls: 100 },
    );
    try {
      // autoCompleteMessages (the default) completes each message after processMessage returns.
      while (env.emulator.broker.runtime(queue).activeMessageCount > 0) {
        if (Date.now() - lastProgress > 5000) throw new Error(`subscribe stalled after ${done} of 10000 messages`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await subscription.close();
      await receiver.close();
    }
    expect(errors).toEqual([]);
    expect(done).toBe(10_000);
  }, 120_000);

  it('a session receiver completes 5,000 messages of one session', async () => {
    const queue = uniqueName('many-session');
    env.emulator.broker.createQueue(queue, { requiresSession: true });
    const sender = env.sb.createSender(queue);
    await sendMany(sender, 5_000, { sessionId: 's1' });
    await sender.close();
    const receiver = await env.sb.acceptSession(queue, 's1');
    expect(await receiveAndComplete(receiver, 5_000)).toBe(5_000);
    await receiver.close();
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
  }, 120_000);
});
