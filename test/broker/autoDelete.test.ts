/**
 * AutoDeleteOnIdle (issue 11 item 16): an entity unused for that long is deleted, on the fake
 * clock. Use is a send, receive, browse, or a management read or update; an open receiver too.
 */
import { describe, expect, it } from 'vitest';
import { msg, setup } from './helpers.js';

const MINUTE = 60_000;
const idle = { autoDeleteOnIdleMs: 5 * MINUTE };

describe('AutoDeleteOnIdle', () => {
  it('deletes a queue idle that long, and not a moment before', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', idle);
    broker.createQueue('forever');
    advance(5 * MINUTE - 1);
    expect(broker.entityKind('q')).toBe('queue');
    advance(1);
    expect(broker.entityKind('q')).toBeUndefined();
    advance(365 * 24 * 60 * MINUTE);
    expect(broker.entityKind('forever')).toBe('queue');
  });

  it('a send, a browse and a management read each restart the idle time', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', idle);
    advance(4 * MINUTE);
    broker.send('q', [msg('a')]);
    advance(4 * MINUTE);
    broker.peek('q', 0, 1);
    advance(4 * MINUTE);
    broker.getQueue('q');
    advance(4 * MINUTE);
    expect(broker.entityKind('q')).toBe('queue');
    advance(MINUTE);
    expect(broker.entityKind('q')).toBeUndefined();
  });

  it('a receive restarts it, and an open receiver keeps the entity alive', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', idle);
    const r = broker.openReceiver('q', { mode: 'receiveAndDelete' });
    advance(60 * MINUTE);
    expect(broker.entityKind('q')).toBe('queue');
    r.receive(1);
    r.close();
    advance(5 * MINUTE - 1);
    expect(broker.entityKind('q')).toBe('queue');
    advance(1);
    expect(broker.entityKind('q')).toBeUndefined();
  });

  it('an update with a longer idle time postpones it', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', idle);
    advance(4 * MINUTE);
    broker.updateQueue('q', { autoDeleteOnIdleMs: 60 * MINUTE });
    advance(59 * MINUTE);
    expect(broker.entityKind('q')).toBe('queue');
    advance(MINUTE);
    expect(broker.entityKind('q')).toBeUndefined();
  });

  it('deletes an idle subscription alone, and an idle topic with its subscriptions', () => {
    const { broker, advance } = setup();
    broker.createTopic('t', { autoDeleteOnIdleMs: 30 * MINUTE });
    broker.createSubscription('t', 'short', idle);
    broker.createSubscription('t', 'long');
    advance(5 * MINUTE);
    expect(broker.entityKind('t/Subscriptions/short')).toBeUndefined();
    expect(broker.entityKind('t/Subscriptions/long')).toBe('subscription');
    broker.send('t', [msg('x')]);
    advance(29 * MINUTE);
    expect(broker.entityKind('t')).toBe('topic');
    advance(MINUTE);
    expect(broker.entityKind('t')).toBeUndefined();
    expect(broker.entityKind('t/Subscriptions/long')).toBeUndefined();
  });

  it('a deleted and re-created entity starts afresh', () => {
    const { broker, advance } = setup();
    broker.createQueue('q', idle);
    advance(4 * MINUTE);
    broker.deleteQueue('q');
    broker.createQueue('q', idle);
    advance(4 * MINUTE);
    expect(broker.entityKind('q')).toBe('queue');
    advance(MINUTE);
    expect(broker.entityKind('q')).toBeUndefined();
  });
});
