/**
 * The sessions tutorial (../shared/seed/sessions-tutorial.md), script by script, ported to the
 * official JS SDK one to one and run against the real emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceBusReceivedMessage, ServiceBusSessionReceiver } from '@azure/service-bus';
import { client, sleep, startTestEmulator, uniqueName, type Emulator } from './harness.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

const customer1 = [
  { order_id: 'ORD-001', product: 'Laptop', amount: 1200 },
  { order_id: 'ORD-002', product: 'Mouse', amount: 25 },
  { order_id: 'ORD-003', product: 'Keyboard', amount: 75 },
];
const customer2 = [
  { order_id: 'ORD-004', product: 'Monitor', amount: 400 },
  { order_id: 'ORD-005', product: 'Webcam', amount: 80 },
];
const customer3 = [
  { order_id: 'ORD-006', product: 'Headphones', amount: 150 },
  { order_id: 'ORD-007', product: 'Microphone', amount: 100 },
  { order_id: 'ORD-008', product: 'Speakers', amount: 200 },
  { order_id: 'ORD-009', product: 'Desk', amount: 500 },
];
type Order = (typeof customer1)[number];

/** create_session_queue.py: the tutorial's queue properties. */
function createSessionQueue(name: string) {
  emulator.broker.createQueue(name, {
    requiresSession: true,
    lockDurationMs: 5 * 60_000,
    maxDeliveryCount: 10,
    defaultMessageTimeToLiveMs: 14 * 24 * 3_600_000,
    deadLetteringOnMessageExpiration: true,
  });
}

/** session_producer.py: send_customer_orders. */
async function sendCustomerOrders(queue: string, customerId: string, orders: Order[]) {
  const sb = client(emulator);
  const sender = sb.createSender(queue);
  try {
    for (const [i, order] of orders.entries()) {
      await sender.sendMessages({
        body: JSON.stringify(order),
        sessionId: customerId,
        messageId: `${customerId}-${order.order_id}`,
        applicationProperties: { customer_id: customerId, order_sequence: i + 1, timestamp: new Date().toISOString() },
      });
    }
  } finally {
    await sender.close();
    await sb.close();
  }
}

async function sendMultipleCustomerOrders(queue: string) {
  await sendCustomerOrders(queue, 'customer-1', customer1);
  await sendCustomerOrders(queue, 'customer-2', customer2);
  await sendCustomerOrders(queue, 'customer-3', customer3);
}

const orderOf = (m: ServiceBusReceivedMessage): Order => JSON.parse(m.body as string) as Order;

describe('tutorial: message sessions', () => {
  it('session_producer + session_consumer_specific: a named session, in order, with state', async () => {
    const queue = uniqueName('orders-per-customer');
    createSessionQueue(queue);
    await sendMultipleCustomerOrders(queue);

    const sb = client(emulator);
    const receiver = await sb.acceptSession(queue, 'customer-1');
    expect(receiver.sessionId).toBe('customer-1');
    expect(await receiver.getSessionState()).toBeNull();

    const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 5000 });
    const orders = messages.map(orderOf);
    expect(orders.map((o) => o.order_id)).toEqual(['ORD-001', 'ORD-002', 'ORD-003']);
    expect(messages.map((m) => m.applicationProperties?.order_sequence)).toEqual([1, 2, 3]);
    expect(messages.map((m) => m.messageId)).toEqual(['customer-1-ORD-001', 'customer-1-ORD-002', 'customer-1-ORD-003']);
    expect(messages.every((m) => m.sessionId === 'customer-1' && m.deliveryCount === 0)).toBe(true);
    for (const m of messages) await receiver.completeMessage(m);

    const total = orders.reduce((s, o) => s + o.amount, 0);
    await receiver.setSessionState(JSON.stringify({ total_amount: total, order_count: orders.length }));
    await receiver.close();

    // The state outlives the receiver; the session's messages are gone; the others are untouched.
    const again = await sb.acceptSession(queue, 'customer-1');
    expect(JSON.parse(String(await again.getSessionState()))).toEqual({ total_amount: 1300, order_count: 3 });
    expect(await again.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    await again.close();
    expect(emulator.broker.runtime(queue).activeMessageCount).toBe(6);
    await sb.close();
  });

  it('session_consumer_next: the next available session is one that has messages', async () => {
    const queue = uniqueName('orders-per-customer');
    createSessionQueue(queue);
    await sendMultipleCustomerOrders(queue);
    const sb = client(emulator);
    const seen = new Map<string, string[]>();
    for (let i = 0; i < 3; i++) {
      const receiver = await sb.acceptNextSession(queue);
      const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 2000 });
      for (const m of messages) await receiver.completeMessage(m);
      seen.set(receiver.sessionId, messages.map((m) => orderOf(m).order_id));
      await receiver.close();
    }
    expect(Object.fromEntries(seen)).toEqual({
      'customer-1': ['ORD-001', 'ORD-002', 'ORD-003'],
      'customer-2': ['ORD-004', 'ORD-005'],
      'customer-3': ['ORD-006', 'ORD-007', 'ORD-008', 'ORD-009'],
    });
    // continuous_session_processor: with nothing left, accepting the next session times out.
    const quick = client(emulator, { retryOptions: { maxRetries: 0, timeoutInMs: 1500 } });
    await expect(quick.acceptNextSession(queue)).rejects.toMatchObject({ code: 'ServiceTimeout' });
    await quick.close();
    await sb.close();
  });

  it('parallel_session_workers: three workers, order kept per session, no session held twice', async () => {
    const queue = uniqueName('orders-per-customer');
    createSessionQueue(queue);
    // More sessions than workers, so workers must come back for more.
    const sessions = Array.from({ length: 9 }, (_, i) => `customer-${i + 1}`);
    for (const id of sessions) {
      await sendCustomerOrders(queue, id, customer3.map((o) => ({ ...o, order_id: `${id}-${o.order_id}` })));
    }
    const held = new Set<string>();
    let overlap = false;
    const processed = new Map<string, string[]>();
    const worker = async () => {
      const sb = client(emulator, { retryOptions: { maxRetries: 0, timeoutInMs: 1000 } });
      for (;;) {
        let receiver: ServiceBusSessionReceiver;
        try {
          receiver = await sb.acceptNextSession(queue);
        } catch (e) {
          if ((e as { code?: string }).code === 'ServiceTimeout') break;
          throw e;
        }
        if (held.has(receiver.sessionId)) overlap = true;
        held.add(receiver.sessionId);
        const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
        for (const m of messages) {
          await sleep(5);
          await receiver.completeMessage(m);
          processed.set(receiver.sessionId, [...(processed.get(receiver.sessionId) ?? []), orderOf(m).order_id]);
        }
        held.delete(receiver.sessionId);
        await receiver.close();
      }
      await sb.close();
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(overlap).toBe(false);
    expect([...processed.keys()].sort()).toEqual([...sessions].sort());
    for (const id of sessions) {
      expect(processed.get(id)).toEqual(customer3.map((o) => `${id}-${o.order_id}`));
    }
    expect(emulator.broker.runtime(queue).activeMessageCount).toBe(0);
  });

  it('session_state_management: state saved after every message and marked completed', async () => {
    const queue = uniqueName('orders-per-customer');
    createSessionQueue(queue);
    await sendCustomerOrders(queue, 'customer-3', customer3);
    const sb = client(emulator);
    const receiver = await sb.acceptNextSession(queue);
    const loaded = await receiver.getSessionState();
    const state = loaded
      ? JSON.parse(String(loaded))
      : { session_id: receiver.sessionId, orders_processed: 0, total_amount: 0, items: [] as string[], status: 'processing' };
    for (const m of await receiver.receiveMessages(10, { maxWaitTimeInMs: 2000 })) {
      const order = orderOf(m);
      state.orders_processed += 1;
      state.total_amount += order.amount;
      state.items.push(order.product);
      await receiver.setSessionState(JSON.stringify(state));
      await receiver.completeMessage(m);
    }
    state.status = 'completed';
    await receiver.setSessionState(JSON.stringify(state));
    await receiver.close();

    const check = await sb.acceptSession(queue, 'customer-3');
    expect(JSON.parse(String(await check.getSessionState()))).toEqual({
      session_id: 'customer-3',
      orders_processed: 4,
      total_amount: 950,
      items: ['Headphones', 'Microphone', 'Speakers', 'Desk'],
      status: 'completed',
    });
    await check.close();
    await sb.close();
  });

  it('one receiver per session: a second accept of a held session fails SessionCannotBeLocked', async () => {
    const queue = uniqueName('orders-per-customer');
    createSessionQueue(queue);
    await sendCustomerOrders(queue, 'customer-2', customer2);
    const sb = client(emulator);
    const first = await sb.acceptSession(queue, 'customer-2');
    await expect(sb.acceptSession(queue, 'customer-2')).rejects.toMatchObject({ code: 'SessionCannotBeLocked' });
    await first.close();
    const second = await sb.acceptSession(queue, 'customer-2');
    expect(second.sessionId).toBe('customer-2');
    await second.close();
    await sb.close();
  });
});
