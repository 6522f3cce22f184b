import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/broker/index.js';
import { expectCode, msg, setup } from './helpers.js';

/** Application properties as a receiver sees them: as sent, with the changes applied. */
const props = (m: StoredMessage) => {
  const out: Record<string, unknown> = { ...m.applicationProperties };
  for (const [k, v] of m.propertyChanges ?? []) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
};

function topicWith(filter: object, action: string) {
  const s = setup();
  s.broker.createTopic('t');
  s.broker.createSubscription('t', 's', undefined, { name: 'act', filter: filter as never, action: { type: 'sql', expression: action } });
  const take = () => s.broker.openReceiver('t/Subscriptions/s', { mode: 'receiveAndDelete' }).receive(10);
  return { ...s, take };
}

describe('SQL rule actions', () => {
  it('SET and REMOVE on user properties, with expressions, each statement seeing the ones before', () => {
    const { broker, take } = topicWith({ type: 'sql', expression: 'EXISTS(qty)' }, "SET total = qty * price; SET user.Label2 = 'x' + label2; REMOVE secret; SET double = total * 2");
    broker.send('t', [msg('a', { applicationProperties: { qty: 3, price: 5, label2: 'y', secret: 's' } }), msg('no-qty')]);
    const [m, ...rest] = take();
    expect(rest).toEqual([]);
    expect(props(m!)).toEqual({ qty: 3, price: 5, label2: 'xy', total: 15, double: 30, RuleName: 'act' });
  });

  it('SET and REMOVE on sys. properties change the message itself', () => {
    const { broker, take } = topicWith({ type: 'true' }, "SET sys.Label = 'relabelled'; SET sys.CorrelationId = sys.MessageId + '-c'; REMOVE sys.To; SET sys.SessionId = 'sess'");
    broker.send('t', [msg('a', { messageId: 'm1', subject: 'orig', to: 'somewhere', applicationProperties: { k: 1 } })]);
    const [m] = take();
    expect(m).toMatchObject({ messageId: 'm1', subject: 'relabelled', correlationId: 'm1-c', to: undefined, sessionId: 'sess' });
    expect(m!.rewrittenHeaders).toEqual(new Set(['subject', 'correlationId', 'to', 'sessionId']));
  });

  it('applies on correlation rules too; rules without action share one copy, each rule with an action makes its own', () => {
    const s = setup();
    s.broker.createTopic('t');
    s.broker.createSubscription('t', 's', undefined, { filter: { type: 'correlation', properties: { color: 'red' } } });
    s.broker.createRule('t', 's', 'also-plain', { type: 'true' });
    s.broker.createRule('t', 's', 'b-mark', { type: 'correlation', properties: { color: 'red' } }, { type: 'sql', expression: "SET mark = 'b'" });
    s.broker.createRule('t', 's', 'a-mark', { type: 'sql', expression: "color = 'red'" }, { type: 'sql', expression: "SET mark = 'a'" });
    s.broker.createRule('t', 's', 'blue', { type: 'correlation', properties: { color: 'blue' } }, { type: 'sql', expression: "SET mark = 'blue'" });
    s.broker.send('t', [msg('red', { applicationProperties: { color: 'red' } })]);
    const got = s.broker.openReceiver('t/Subscriptions/s', { mode: 'receiveAndDelete' }).receive(10);
    expect(got.map((m) => [m.payload, props(m).mark, props(m).RuleName])).toEqual([
      ['red', undefined, undefined],
      ['red', 'a', 'a-mark'],
      ['red', 'b', 'b-mark'],
    ]);
  });

  it('each copy a rule with an action makes gets a sequence number of its own, so each can be received deferred by number', () => {
    const s = setup();
    s.broker.createTopic('t');
    s.broker.createSubscription('t', 's');
    s.broker.createSubscription('t', 'other');
    s.broker.createRule('t', 's', 'a-mark', { type: 'true' }, { type: 'sql', expression: "SET mark = 'a'" });
    s.broker.createRule('t', 's', 'b-mark', { type: 'true' }, { type: 'sql', expression: "SET mark = 'b'" });
    const [first] = s.broker.send('t', [msg('x')]);
    const r = s.broker.openReceiver('t/Subscriptions/s', { mode: 'peekLock' });
    const got = r.receive(10);
    const seqs = got.map((m) => m.sequenceNumber);
    // The plain copy keeps the topic's number; the others are numbered after it, all distinct.
    expect(seqs[0]).toBe(first);
    expect(new Set(seqs).size).toBe(3);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const m of got) s.broker.defer('t/Subscriptions/s', m.lockToken!);
    const back = s.broker.receiveDeferred('t/Subscriptions/s', seqs, 'receiveAndDelete');
    expect(back.map((m) => [m.sequenceNumber, props(m).mark])).toEqual([
      [seqs[0], undefined],
      [seqs[1], 'a'],
      [seqs[2], 'b'],
    ]);
    // Later messages still get numbers above every number handed out before.
    const [next] = s.broker.send('t', [msg('y')]);
    expect(next).toBeGreaterThan(Math.max(...seqs));
    expect(s.broker.peek('t/Subscriptions/other', 0, 10).map((m) => m.sequenceNumber)).toEqual([first, next]);
  });

  it('refuses actions outside the grammar when the rule is created', () => {
    const s = setup();
    s.broker.createTopic('t');
    s.broker.createSubscription('t', 's');
    for (const expression of ['SET', 'SET a', 'SET a = ', 'DELETE a', 'SET sys.EnqueuedTimeUtc = 1', 'REMOVE sys.SequenceNumber', "SET a = 'x' garbage", `SET a = ${'('.repeat(20_000)}1${')'.repeat(20_000)}`]) {
      expectCode(() => s.broker.createRule('t', 's', 'bad', { type: 'true' }, { type: 'sql', expression }), 'ArgumentError');
    }
  });
});
