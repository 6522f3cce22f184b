/** The operations a model run is made of, and how fast-check generates them. */
import fc from 'fast-check';
import { CONFIGS, QUEUES, SESSION_ENTITIES } from './topology.js';

export type Op =
  | { k: 'send'; e: number; n: number; sid: number; ttl?: number; delay?: number }
  | { k: 'publish'; n: number; sid: number; subject: number; num: number; mid?: number; ttl?: number; delay?: number }
  | { k: 'open'; e: number; dlq: boolean; rad: boolean }
  | { k: 'accept'; se: number; sid?: number; rad: boolean }
  | { k: 'recv'; r: number; max: number }
  | { k: 'settle'; how: 'complete' | 'abandon' | 'defer' | 'deadLetter' | 'release' | 'renew'; t: number; viaSession: boolean }
  | { k: 'close'; r: number }
  | { k: 'renewSession'; r: number }
  | { k: 'deferred'; t: number; r: number; rad: boolean }
  | { k: 'cancel'; t: number }
  | { k: 'state'; r: number; value?: number }
  | { k: 'purge'; e: number; dlq: boolean; count: number }
  | { k: 'advance'; ms: number };

const nat = fc.nat({ max: 1000 });
const ttl = fc.option(fc.integer({ min: 1, max: 8 }).map((x) => x * 500), { nil: undefined });
const delay = fc.option(fc.integer({ min: 1, max: 4 }).map((x) => x * 400), { freq: 6, nil: undefined });
/** Sends go to q and s more often than to the forwarding queues (dq, loop, c1..c4). */
const queue = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(QUEUES[0]!, QUEUES[1]!) }, { weight: 2, arbitrary: fc.constantFrom(...QUEUES.slice(2)) });
const entity = fc.nat({ max: CONFIGS.length - 1 });
/** Receivers open more often on the entities that hold messages (forwarding ones hold few). */
const holding = CONFIGS.flatMap((c, i) => (c.forwardTo === undefined ? [i] : []));
const receivable = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...holding) }, { weight: 1, arbitrary: entity });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ k: fc.constant('send' as const), e: queue, n: fc.integer({ min: 1, max: 3 }), sid: fc.nat({ max: 3 }), ttl, delay }) },
  {
    weight: 14,
    arbitrary: fc.record({
      k: fc.constant('publish' as const),
      n: fc.integer({ min: 1, max: 3 }),
      // 4: no session id (a session subscription dead-letters it).
      sid: fc.nat({ max: 4 }),
      subject: fc.nat({ max: 1 }),
      num: fc.nat({ max: 3 }),
      mid: fc.option(fc.nat({ max: 5 }), { freq: 2, nil: undefined }),
      ttl,
      delay,
    }),
  },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('open' as const), e: receivable, dlq: fc.boolean(), rad: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('accept' as const), se: fc.nat({ max: SESSION_ENTITIES.length - 1 }), sid: fc.option(fc.nat({ max: 3 }), { nil: undefined }), rad: fc.boolean() }) },
  { weight: 20, arbitrary: fc.record({ k: fc.constant('recv' as const), r: nat, max: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 24, arbitrary: fc.record({ k: fc.constant('settle' as const), how: fc.constantFrom('complete', 'complete', 'abandon', 'defer', 'deadLetter', 'release', 'renew') as fc.Arbitrary<'complete'>, t: nat, viaSession: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('close' as const), r: nat }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('renewSession' as const), r: nat }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('deferred' as const), t: nat, r: nat, rad: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), t: nat }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('state' as const), r: nat, value: fc.option(fc.nat({ max: 9 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('purge' as const), e: entity, dlq: fc.boolean(), count: fc.nat({ max: 3 }) }) },
  { weight: 10, arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 900, max: 2500 })) }) },
);
