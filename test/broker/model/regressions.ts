/**
 * Named scenarios for the model test, kept as rabbit_fifo_prop_SUITE keeps its own: each is a
 * short operation sequence replayed against the broker and the model on every `npm test`. A
 * shrunk counterexample that fast-check finds goes here under a name that says what broke, so
 * the failure stays covered after the fix. The first ones pin the topic paths the random runs
 * reach only now and then.
 */
import type { Op } from './ops.js';

export const REGRESSIONS: Record<string, Op[]> = {
  // Found by the first 1,000,000-operation run with topics (seed 771380472): the harness kept
  // per-session delivery order by session id alone, so session 'b' of the queue and session 'b'
  // of the subscription, each delivering its sequence number 1, looked like one session going back.
  'the same session id on a queue and on a subscription are two sessions, each in its own order': [
    { k: 'send', e: 1, n: 1, sid: 1 },
    { k: 'accept', se: 1, sid: 1, rad: false },
    { k: 'publish', n: 1, sid: 1, subject: 0, num: 0 },
    { k: 'accept', se: 0, rad: false },
    { k: 'recv', r: 111, max: 1 },
    { k: 'recv', r: 0, max: 1 },
    { k: 'send', e: 0, n: 1, sid: 0 },
  ],
  'a duplicate message id within the window answers the original number and stores nothing': [
    { k: 'publish', n: 1, sid: 0, subject: 0, num: 2, mid: 1 },
    { k: 'publish', n: 2, sid: 1, subject: 1, num: 3, mid: 1 },
    { k: 'advance', ms: 2500 },
    { k: 'publish', n: 1, sid: 0, subject: 0, num: 0, mid: 1 },
  ],
  'a duplicate id is new again once the window has passed': [
    { k: 'publish', n: 1, sid: 0, subject: 0, num: 2, mid: 3 },
    ...Array.from({ length: 9 }, () => ({ k: 'advance', ms: 2500 }) as Op),
    { k: 'publish', n: 1, sid: 0, subject: 0, num: 2, mid: 3 },
  ],
  'a session subscription dead-letters a published message without a session id': [
    { k: 'publish', n: 2, sid: 4, subject: 0, num: 1 },
    { k: 'open', e: 11, dlq: true, rad: false },
    { k: 'recv', r: 0, max: 4 },
  ],
  'correlation and SQL rules choose the subscriptions; copies keep the topic number': [
    { k: 'send', e: 0, n: 2, sid: 0 },
    { k: 'publish', n: 1, sid: 2, subject: 1, num: 0 },
    { k: 'publish', n: 1, sid: 2, subject: 0, num: 3 },
    { k: 'open', e: 9, dlq: false, rad: false },
    { k: 'open', e: 10, dlq: false, rad: true },
    { k: 'recv', r: 0, max: 4 },
    { k: 'recv', r: 1, max: 4 },
  ],
  'a scheduled topic message fans out when due, and one whose time to live ran out meanwhile expires at once': [
    { k: 'publish', n: 1, sid: 0, subject: 0, num: 2, delay: 1600, ttl: 500 },
    { k: 'publish', n: 1, sid: 1, subject: 0, num: 2, delay: 400 },
    { k: 'advance', ms: 2500 },
    { k: 'open', e: 8, dlq: true, rad: false },
    { k: 'recv', r: 0, max: 4 },
  ],
  'cancelling a scheduled topic message before it is due fans nothing out': [
    { k: 'publish', n: 2, sid: 0, subject: 0, num: 2, delay: 1200 },
    { k: 'cancel', t: 0 },
    { k: 'advance', ms: 2500 },
  ],
  'sessions on a subscription: accept, receive, lose the lock, accept next': [
    { k: 'publish', n: 2, sid: 0, subject: 0, num: 1 },
    { k: 'publish', n: 1, sid: 1, subject: 0, num: 1 },
    { k: 'accept', se: 1, sid: 0, rad: false },
    { k: 'recv', r: 0, max: 1 },
    { k: 'state', r: 0, value: 7 },
    { k: 'advance', ms: 1300 },
    { k: 'accept', se: 1, rad: false },
    { k: 'recv', r: 1, max: 3 },
    { k: 'settle', how: 'complete', t: 1, viaSession: true },
  ],
  'lock expiry on a subscription counts a delivery and dead-letters at its MaxDeliveryCount': [
    { k: 'publish', n: 1, sid: 0, subject: 1, num: 0 },
    { k: 'open', e: 8, dlq: false, rad: false },
    { k: 'recv', r: 0, max: 1 },
    { k: 'advance', ms: 900 },
    { k: 'recv', r: 0, max: 1 },
    { k: 'advance', ms: 900 },
  ],
  // Forwarding and rule actions (entity indices: 0 q, 2 dq, 3 loop, 4 c1, 5 c2, 13 act; see topology.ts).
  'a queue forwarding to itself makes 4 hops, then dead-letters with MaxTransferHopCountExceeded': [
    { k: 'send', e: 3, n: 2, sid: 0 },
    { k: 'open', e: 3, dlq: true, rad: false },
    { k: 'recv', r: 0, max: 4 },
  ],
  'a chain delivers on its fourth hop; dead-lettered there, the hop limit keeps it from being forwarded again': [
    { k: 'send', e: 4, n: 1, sid: 0 },
    { k: 'send', e: 5, n: 1, sid: 0 },
    { k: 'open', e: 2, dlq: false, rad: false },
    { k: 'recv', r: 0, max: 4 },
    { k: 'settle', how: 'deadLetter', t: 0, viaSession: false },
    { k: 'settle', how: 'deadLetter', t: 1, viaSession: false },
  ],
  'a subscription forwarding into the chain is stopped at c4 by the hop limit': [{ k: 'publish', n: 1, sid: 4, subject: 1, num: 1 }],
  'ForwardDeadLetteredMessagesTo takes TTL expiry, MaxDeliveryCount and explicit dead-letters to the target': [
    { k: 'send', e: 2, n: 3, sid: 0, ttl: 2000 },
    { k: 'open', e: 2, dlq: false, rad: false },
    { k: 'recv', r: 0, max: 2 },
    { k: 'settle', how: 'abandon', t: 0, viaSession: false },
    { k: 'settle', how: 'deadLetter', t: 1, viaSession: false },
    { k: 'recv', r: 0, max: 1 },
    { k: 'settle', how: 'abandon', t: 2, viaSession: false },
    { k: 'advance', ms: 2100 },
    { k: 'open', e: 0, dlq: false, rad: true },
    { k: 'recv', r: 1, max: 4 },
  ],
  'each matching rule with an action makes its own copy, changed by its action, with a number of its own': [
    { k: 'publish', n: 1, sid: 0, subject: 1, num: 2 },
    { k: 'publish', n: 1, sid: 1, subject: 1, num: 0 },
    { k: 'publish', n: 1, sid: 2, subject: 0, num: 3, delay: 400 },
    { k: 'advance', ms: 500 },
    { k: 'open', e: 13, dlq: false, rad: false },
    { k: 'recv', r: 0, max: 4 },
    { k: 'settle', how: 'defer', t: 1, viaSession: false },
    { k: 'deferred', t: 0, r: 0, rad: true },
  ],
};
