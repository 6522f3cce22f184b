import { describe, expect, it } from 'vitest';
import { TypedValue } from '../../src/broker/index.js';
import { expectCode, msg, payloads, setup } from './helpers.js';

function topic() {
  const s = setup();
  s.broker.createTopic('orders');
  return s;
}

const drain = (broker: ReturnType<typeof setup>['broker'], sub: string) => payloads(broker.openReceiver(`orders/Subscriptions/${sub}`, { mode: 'receiveAndDelete' }).receive(100));

describe('topics and rules', () => {
  it('fans a copy out to every subscription; $Default is a TrueFilter', () => {
    const { broker } = topic();
    broker.createSubscription('orders', 'all');
    broker.createSubscription('orders', 'none', undefined, { filter: { type: 'false' } });
    expect(broker.listRules('orders', 'all')).toMatchObject([{ name: '$Default', filter: { type: 'true' }, action: { type: 'empty' } }]);
    expect(broker.send('orders', [msg(1), msg(2)])).toEqual([1, 2]);
    expect(drain(broker, 'all')).toEqual([1, 2]);
    expect(drain(broker, 'none')).toEqual([]);
    expect(broker.getTopic('orders').runtime.subscriptionCount).toBe(2);
  });

  it('copies are independent: settling one subscription leaves the other', () => {
    const { broker } = topic();
    broker.createSubscription('orders', 'a');
    broker.createSubscription('orders', 'b');
    broker.send('orders', [msg('x')]);
    const [m] = broker.openReceiver('orders/subscriptions/a', { mode: 'peekLock' }).receive(1);
    broker.complete('orders/subscriptions/a', m!.lockToken!);
    expect(broker.runtime('orders/subscriptions/b').activeMessageCount).toBe(1);
    expect(broker.getTopic('orders').runtime.sizeInBytes).toBe(10);
  });

  it('correlation filters match by equality on system fields and application properties', () => {
    const { broker } = topic();
    broker.createSubscription('orders', 'red', undefined, { filter: { type: 'correlation', subject: 'order', properties: { color: 'red' } } });
    broker.createSubscription('orders', 'corr', undefined, { filter: { type: 'correlation', correlationId: 'c1', properties: {} } });
    broker.send('orders', [
      msg(1, { subject: 'order', applicationProperties: { color: 'red' } }),
      msg(2, { subject: 'order', applicationProperties: { color: 'blue' } }),
      msg(3, { subject: 'other', applicationProperties: { color: 'red' }, correlationId: 'c1' }),
    ]);
    expect(drain(broker, 'red')).toEqual([1]);
    expect(drain(broker, 'corr')).toEqual([3]);
  });

  it('correlation properties declared as guid or duration match only values of that type', () => {
    const { broker } = topic();
    const id = '2F1B3C4D-0000-4000-8000-000000000001';
    broker.createSubscription('orders', 'typed', undefined, {
      filter: { type: 'correlation', properties: { id, span: 'PT1M' }, propertyTypes: { id: 'guid', span: 'duration' } },
    });
    const guid = new TypedValue('guid', id.toLowerCase());
    const minute = new TypedValue('duration', 'PT1M');
    broker.send('orders', [
      msg(1, { applicationProperties: { id: guid, span: minute } }),
      msg(2, { applicationProperties: { id, span: 'PT1M' } }),
      msg(3, { applicationProperties: { id: guid, span: new TypedValue('duration', 'PT2M') } }),
      msg(4, { applicationProperties: { id: new TypedValue('guid', '2f1b3c4d-0000-4000-8000-000000000002'), span: minute } }),
      msg(5, { applicationProperties: { id: minute, span: guid } }),
    ]);
    expect(drain(broker, 'typed')).toEqual([1]);
  });

  it('SQL filters evaluate comparisons, logic, IN, LIKE, IS NULL and sys properties', () => {
    const { broker } = topic();
    const sql = (name: string, expression: string) => broker.createSubscription('orders', name, undefined, { filter: { type: 'sql', expression } });
    sql('big', 'amount > 100 AND region IN (\'eu\', \'us\')');
    sql('like', "sys.Label LIKE 'ord%' OR NOT EXISTS(amount)");
    sql('nulls', 'region IS NULL');
    sql('one', '1=1');
    broker.send('orders', [
      msg(1, { subject: 'order', applicationProperties: { amount: 500, region: 'eu' } }),
      msg(2, { subject: 'x', applicationProperties: { amount: 50, region: 'us' } }),
      msg(3, { subject: 'x', applicationProperties: { amount: 500 } }),
      msg(4, { subject: 'x' }),
    ]);
    expect(drain(broker, 'big')).toEqual([1]);
    expect(drain(broker, 'like')).toEqual([1, 4]);
    expect(drain(broker, 'nulls')).toEqual([3, 4]);
    expect(drain(broker, 'one')).toEqual([1, 2, 3, 4]);
  });

  it('rejects unsupported SQL syntax when the rule is created', () => {
    const { broker } = topic();
    broker.createSubscription('orders', 's');
    expectCode(() => broker.createRule('orders', 's', 'bad', { type: 'sql', expression: 'amount >>> 3' }), 'ArgumentError');
    expectCode(() => broker.createRule('orders', 's', 'bad', { type: 'sql', expression: 'SELECT * FROM x' }), 'ArgumentError');
    expectCode(() => broker.createRule('orders', 's', 'bad', { type: 'nope' } as never), 'ArgumentError');
  });

  it('any rule matching is enough; rules can be added, updated, listed and removed', () => {
    const { broker } = topic();
    broker.createSubscription('orders', 's', undefined, { filter: { type: 'false' } });
    broker.createRule('orders', 's', 'reds', { type: 'correlation', properties: { color: 'red' } }, { type: 'sql', expression: "SET x = 'y'" });
    expectCode(() => broker.createRule('orders', 's', 'REDS', { type: 'true' }), 'EntityAlreadyExists');
    broker.send('orders', [msg(1, { applicationProperties: { color: 'red' } }), msg(2)]);
    expect(drain(broker, 's')).toEqual([1]);
    expect(broker.getRule('orders', 's', 'reds').action).toEqual({ type: 'sql', expression: "SET x = 'y'" });
    broker.updateRule('orders', 's', 'reds', { type: 'true' });
    broker.send('orders', [msg(3)]);
    expect(drain(broker, 's')).toEqual([3]);
    broker.deleteRule('orders', 's', 'reds');
    expect(broker.listRules('orders', 's').map((r) => r.name)).toEqual(['$Default']);
    expectCode(() => broker.deleteRule('orders', 's', 'reds'), 'EntityNotFound');
  });

  it('session-enabled subscriptions take session messages; others go to its dead-letter queue', () => {
    const { broker } = topic();
    broker.createSubscription('orders', 'sess', { requiresSession: true });
    broker.send('orders', [msg('with', { sessionId: 'a' }), msg('without')]);
    expect(payloads(broker.acceptSession('orders/subscriptions/sess', 'a', { mode: 'receiveAndDelete' }).receive(5))).toEqual(['with']);
    expect(broker.runtime('orders/subscriptions/sess').deadLetterMessageCount).toBe(1);
  });

  it('lists rules in name order, whatever the order they were created in', () => {
    const { broker } = topic();
    broker.createSubscription('orders', 's');
    for (const name of ['zeta', 'Alpha', 'mid', 'beta2', 'Beta1']) broker.createRule('orders', 's', name, { type: 'true' });
    expect(broker.listRules('orders', 's').map((r) => r.name)).toEqual(['$Default', 'Alpha', 'Beta1', 'beta2', 'mid', 'zeta']);
  });
});
