/**
 * Service Bus semantics the official JS SDK observes, where the SDK's own live tests expect Azure's
 * behaviour: delivery counts, message state, lock-token annotations, sessions, forwarding, rules.
 */
import { describe, expect, it } from 'vitest';
import { uniqueName, useSharedEmulator } from './harness.js';

const env = useSharedEmulator();
const { newQueue, send } = env;

describe('delivery counts', () => {
  it('a deferral counts as a delivery, and the dead-lettered copy keeps the count', async () => {
    const queue = newQueue();
    await send(queue, { body: 'x' });
    const receiver = env.sb.createReceiver(queue);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(m!.deliveryCount).toBe(0);
    await receiver.deferMessage(m!);
    const [d1] = await receiver.receiveDeferredMessages(m!.sequenceNumber!);
    expect(d1!.deliveryCount).toBe(1);
    await receiver.abandonMessage(d1!);
    const [d2] = await receiver.receiveDeferredMessages(m!.sequenceNumber!);
    expect(d2!.deliveryCount).toBe(2);
    await receiver.deadLetterMessage(d2!);
    const dlq = env.sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead!.deliveryCount).toBe(2);
    await receiver.close();
    await dlq.close();
  });

  it('abandoning in the dead-letter queue leaves the delivery count unchanged', async () => {
    const queue = newQueue({ maxDeliveryCount: 1 });
    await send(queue, { body: 'x' });
    const receiver = env.sb.createReceiver(queue);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.abandonMessage(m!);
    const dlq = env.sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    for (let i = 0; i < 3; i++) {
      const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
      expect(dead!.deliveryCount).toBe(1);
      await dlq.abandonMessage(dead!);
    }
    await receiver.close();
    await dlq.close();
  });
});

describe('delivery annotations', () => {
  it('a message enqueued by its schedule is delivered with state scheduled; others carry state active', async () => {
    const queue = newQueue();
    const sender = env.sb.createSender(queue);
    await sender.scheduleMessages({ body: 'due' }, new Date(Date.now() + 300));
    await sender.sendMessages({ body: 'plain' });
    await sender.close();
    const receiver = env.sb.createReceiver(queue);
    const got = [];
    while (got.length < 2) got.push(...(await receiver.receiveMessages(2, { maxWaitTimeInMs: 3000 })));
    const byBody = new Map(got.map((m) => [m.body, m]));
    expect(byBody.get('due')!.state).toBe('scheduled');
    expect(byBody.get('due')!._rawAmqpMessage.messageAnnotations!['x-opt-message-state']).toBe(2);
    expect(byBody.get('plain')!._rawAmqpMessage.messageAnnotations!['x-opt-message-state']).toBe(0);
    const [peeked] = await receiver.peekMessages(1, { fromSequenceNumber: byBody.get('due')!.sequenceNumber! });
    expect(peeked!.state).toBe('scheduled');
    await receiver.close();
  });

  it('each peek-lock delivery carries x-opt-lock-token in its delivery annotations', async () => {
    const queue = newQueue();
    await send(queue, [{ body: 1 }, { body: 2 }]);
    const receiver = env.sb.createReceiver(queue);
    const got = await receiver.receiveMessages(2, { maxWaitTimeInMs: 2000 });
    expect(got).toHaveLength(2);
    for (const m of got) {
      const annotated = m._rawAmqpMessage.deliveryAnnotations?.['x-opt-lock-token'];
      expect(annotated, 'x-opt-lock-token').toBeDefined();
      // An AMQP uuid: the SDK hands over its 16 bytes, in network order.
      const hex = Buffer.from(Object.values(annotated as Record<string, number>)).toString('hex');
      const guid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      expect(guid).toBe(m.lockToken!.toLowerCase());
    }
    await receiver.close();
  });
});

describe('forwarding', () => {
  it('a queue forwarding to itself dead-letters the message after 4 hops with MaxTransferHopCountExceeded', async () => {
    const queue = uniqueName('self');
    env.emulator.broker.createQueue(queue, { forwardTo: queue });
    await send(queue, { body: 'loop' });
    const dlq = env.sb.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead!.body).toBe('loop');
    expect(dead!.deadLetterReason).toBe('MaxTransferHopCountExceeded');
    expect(env.emulator.broker.runtime(queue).activeMessageCount).toBe(0);
    await dlq.completeMessage(dead!);
    await dlq.close();
  });
});

describe('rules and filters', () => {
  const newSubscription = () => {
    const topic = uniqueName('t');
    env.emulator.broker.createTopic(topic);
    env.emulator.broker.createSubscription(topic, 's');
    return { topic, sub: 's' };
  };

  it("SQL property names are case-insensitive: Color = 'yellow' matches the application property color", async () => {
    const { topic, sub } = newSubscription();
    const rules = env.sb.createRuleManager(topic, sub);
    await rules.deleteRule('$Default');
    await rules.createRule('yellow', { sqlExpression: "Color = 'yellow'" });
    await send(topic, [
      { body: 'y', applicationProperties: { color: 'yellow' } },
      { body: 'r', applicationProperties: { color: 'red' } },
    ]);
    const receiver = env.sb.createReceiver(topic, sub, { receiveMode: 'receiveAndDelete' });
    const got = await receiver.receiveMessages(5, { maxWaitTimeInMs: 1000 });
    expect(got.map((m) => m.body)).toEqual(['y']);
    await receiver.close();
  });

  it('SQL rule actions are applied: SET and REMOVE on user and sys. properties, on SQL and correlation rules', async () => {
    const { topic, sub } = newSubscription();
    const rules = env.sb.createRuleManager(topic, sub);
    await rules.deleteRule('$Default');
    await rules.createRule('sql', { sqlExpression: 'qty > 1' }, { sqlExpression: "SET total = qty * 10; REMOVE secret; SET sys.Label = 'bulk'; REMOVE sys.To" });
    await rules.createRule('corr', { applicationProperties: { kind: 'vip' } }, { sqlExpression: "SET sys.CorrelationId = 'vip-' + sys.MessageId" });
    await send(topic, [
      { body: 'many', messageId: 'm1', subject: 'orig', to: 'dest', contentType: 'text/plain', applicationProperties: { qty: 3, secret: 's' } },
      { body: 'vip', messageId: 'm2', applicationProperties: { kind: 'vip', qty: 1 } },
    ]);
    const receiver = env.sb.createReceiver(topic, sub, { receiveMode: 'receiveAndDelete' });
    const got = await receiver.receiveMessages(5, { maxWaitTimeInMs: 1000 });
    expect(got.map((m) => m.body)).toEqual(['many', 'vip']);
    const [many, vip] = got;
    expect(many!.applicationProperties).toEqual({ qty: 3, total: 30, RuleName: 'sql' });
    expect([many!.messageId, many!.subject, many!.to, many!.contentType]).toEqual(['m1', 'bulk', undefined, 'text/plain']);
    expect(vip!.correlationId).toBe('vip-m2');
    expect(vip!.applicationProperties).toEqual({ kind: 'vip', qty: 1, RuleName: 'corr' });
    await receiver.close();
  });

  it('enumerate-rules lists in name order, page by page', async () => {
    const { topic, sub } = newSubscription();
    const rules = env.sb.createRuleManager(topic, sub);
    for (const name of ['zeta', 'alpha', 'mid', 'beta']) await rules.createRule(name, { sqlExpression: '1=1' });
    const all = [];
    for await (const r of rules.listRules()) all.push(r.name);
    expect(all).toEqual(['$Default', 'alpha', 'beta', 'mid', 'zeta']);
    const pages: string[][] = [];
    for await (const page of rules.listRules().byPage({ maxPageSize: 2 })) pages.push(page.map((r) => r.name));
    expect(pages).toEqual([['$Default', 'alpha'], ['beta', 'mid'], ['zeta']]);
  });

  it('a filter nested 500 levels deep is an argument error, and the emulator carries on', async () => {
    const { topic, sub } = newSubscription();
    const rules = env.sb.createRuleManager(topic, sub);
    const deep = `${'('.repeat(500)}a = 1${')'.repeat(500)}`;
    await expect(rules.createRule('deep', { sqlExpression: deep })).rejects.toThrow(/nests more than/);
    const names = [];
    for await (const r of rules.listRules()) names.push(r.name);
    expect(names).toEqual(['$Default']);
  });

  it('SQL filters and actions over 1,024 characters are refused over $management with an argument error', async () => {
    const { topic, sub } = newSubscription();
    const rules = env.sb.createRuleManager(topic, sub);
    const filter = (n: number) => `a = '${'x'.repeat(n - 6)}'`;
    const action = (n: number) => `SET a = '${'x'.repeat(n - 10)}'`;
    expect(filter(1025)).toHaveLength(1025);
    expect(action(1025)).toHaveLength(1025);
    await expect(rules.createRule('long-filter', { sqlExpression: filter(1025) })).rejects.toMatchObject({
      code: 'GeneralError',
      message: expect.stringMatching(/SQL filter expression is 1025 characters long; the maximum is 1024/),
    });
    await expect(rules.createRule('long-action', { sqlExpression: '1=1' }, { sqlExpression: action(1025) })).rejects.toThrow(/SQL action expression is 1025 characters long/);
    await rules.createRule('at-limit', { sqlExpression: filter(1024) }, { sqlExpression: action(1024) });
    const names = [];
    for await (const r of rules.listRules()) names.push(r.name);
    expect(names).toEqual(['$Default', 'at-limit']);
  });
});
