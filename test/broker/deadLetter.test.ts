import { describe, expect, it } from 'vitest';
import { expectCode, msg, payloads, setup } from './helpers.js';

describe('deadLetter', () => {
  it('moves the message to $DeadLetterQueue with reason and description as string properties', () => {
    const { broker } = setup();
    broker.createQueue('q');
    const [seq] = broker.send('q', [msg('a')]);
    const [m] = broker.openReceiver('q', { mode: 'peekLock' }).receive(1);
    broker.deadLetter('q', m!.lockToken!, { reason: 'Bad', description: 'very bad', propertiesToModify: { extra: 1 } });
    expect(broker.runtime('q')).toMatchObject({ activeMessageCount: 0, deadLetterMessageCount: 1, totalMessageCount: 1 });
    const dlq = broker.openReceiver('q/$DeadLetterQueue', { mode: 'peekLock' });
    const [d] = dlq.receive(1);
    expect(d).toMatchObject({ payload: 'a', sequenceNumber: seq, deadLetterReason: 'Bad', deadLetterErrorDescription: 'very bad' });
    expect(Object.fromEntries(d!.propertyChanges!)).toEqual({ extra: 1, DeadLetterReason: 'Bad', DeadLetterErrorDescription: 'very bad' });
    broker.complete('q/$DeadLetterQueue', d!.lockToken!);
    expect(broker.runtime('q').totalMessageCount).toBe(0);
  });

  it('keeps the session id and lets the dead-letter queue be read without sessions', () => {
    const { broker } = setup();
    broker.createQueue('s', { requiresSession: true });
    broker.send('s', [msg('a', { sessionId: 'x' })]);
    const r = broker.acceptSession('s', 'x', { mode: 'peekLock' });
    broker.deadLetter('s', r.receive(1)[0]!.lockToken!, undefined, { sessionId: 'x' });
    const [d] = broker.openReceiver('s/$DeadLetterQueue', { mode: 'receiveAndDelete' }).receive(1);
    expect(d!.sessionId).toBe('x');
    expect(d!.deadLetterReason).toBeUndefined();
  });

  it('refuses to dead-letter a message that is already in a dead-letter queue', () => {
    const { broker } = setup();
    broker.createQueue('q');
    broker.send('q', [msg('a')]);
    broker.deadLetter('q', broker.openReceiver('q', { mode: 'peekLock' }).receive(1)[0]!.lockToken!);
    const [d] = broker.openReceiver('q/$DeadLetterQueue', { mode: 'peekLock' }).receive(1);
    expectCode(() => broker.deadLetter('q/$DeadLetterQueue', d!.lockToken!), 'InvalidOperation');
  });

  it('ForwardDeadLetteredMessagesTo sends dead letters to another queue with their source', () => {
    const { broker } = setup();
    broker.createQueue('graveyard');
    broker.createQueue('q', { forwardDeadLetteredMessagesTo: 'graveyard' });
    broker.send('q', [msg('a')]);
    broker.deadLetter('q', broker.openReceiver('q', { mode: 'peekLock' }).receive(1)[0]!.lockToken!, { reason: 'R' });
    expect(broker.runtime('q').deadLetterMessageCount).toBe(0);
    const got = broker.openReceiver('graveyard', { mode: 'receiveAndDelete' }).receive(5);
    expect(payloads(got)).toEqual(['a']);
    expect(got[0]).toMatchObject({ deadLetterReason: 'R', deadLetterSource: 'q', enqueuedSequenceNumber: 1 });
  });
});
