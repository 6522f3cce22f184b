/**
 * The entities every model run starts with, each written once for both sides: the broker is
 * created from these configs and the model reads the same ones.
 *
 * Forwarding: `loop` forwards to itself (4 hops, then its own dead-letter queue); c1 → c2 → c3 →
 * c4 → dq is a chain, so a message sent to c1 reaches dq on its fourth hop and one published to
 * `fwd` (which forwards to c1) is stopped at c4; `dq` and `big` forward what they dead-letter to
 * q, and `act` to dq (whence a second dead-lettering goes on to q, hops allowing).
 */
import { Broker, type FakeClock } from '../../../src/broker/index.js';
import type { EntityConfig, MRule, Published } from './types.js';

export const TOPIC = 't';
/** The topic's duplicate-detection window: Azure's shortest, about 30 `advance` steps. */
export const DUPLICATE_WINDOW_MS = 20_000;
export const SUBJECTS = ['red', 'blue'];
export const SIDS = ['a', 'b', 'c', 'd'];

const sub = (name: string) => `${TOPIC}/Subscriptions/${name}`;
const always: MRule = { name: '$Default', filter: { type: 'true' }, takes: () => true };
const rule = (name: string, expression: string, takes: (p: Published) => boolean): MRule => ({ name, filter: { type: 'sql', expression }, takes });

/** Rules with SQL actions: each matching one makes a copy of its own in `act`. */
const ACT_RULES: MRule[] = [
  rule('plain', 'n = 0', (p) => p.props.n === 0),
  {
    ...rule('A-plus', 'n >= 1', (p) => p.props.n! >= 1),
    action: "SET n = n + 10; SET sys.Label = 'green'",
    apply: (p) => ({ subject: 'green', props: { ...p.props, n: p.props.n! + 10 } }),
  },
  {
    ...rule('b-strip', "sys.Label = 'blue'", (p) => p.subject === 'blue'),
    action: "REMOVE n; SET user.tag = 'b'; REMOVE sys.Label",
    apply: (p) => ({ subject: undefined, props: { ...p.props, n: undefined, tag: 'b' } }),
  },
];

const base = { sessions: false, lockMs: 1000, maxDelivery: 3, defaultTtl: Infinity, dlqOnExpiry: true };

/** Queues first (sends go to them), then the topic's subscriptions. */
export const CONFIGS: EntityConfig[] = [
  { ...base, name: 'q', defaultTtl: 4000 },
  { ...base, name: 's', sessions: true, dlqOnExpiry: false },
  { ...base, name: 'dq', lockMs: 800, maxDelivery: 2, defaultTtl: 2500, forwardDlqTo: 'q' },
  { ...base, name: 'loop', forwardTo: 'loop' },
  { ...base, name: 'c1', forwardTo: 'c2' },
  { ...base, name: 'c2', forwardTo: 'c3' },
  { ...base, name: 'c3', forwardTo: 'c4' },
  { ...base, name: 'c4', forwardTo: 'dq' },
  { ...base, name: sub('all'), lockMs: 800, maxDelivery: 2, rules: [always] },
  { ...base, name: sub('red'), defaultTtl: 3000, dlqOnExpiry: false, rules: [{ name: 'red', filter: { type: 'correlation', subject: 'red', properties: {} }, takes: (p) => p.subject === 'red' }] },
  { ...base, name: sub('big'), forwardDlqTo: 'q', rules: [rule('big', 'n >= 2', (p) => p.props.n! >= 2)] },
  { ...base, name: sub('ss'), sessions: true, lockMs: 1200, rules: [rule('ss', "sys.Label <> 'blue' OR n > 0", (p) => p.subject !== 'blue' || p.props.n! > 0)] },
  { ...base, name: sub('fwd'), forwardTo: 'c1', rules: [{ name: 'blue', filter: { type: 'correlation', subject: 'blue', properties: {} }, takes: (p) => p.subject === 'blue' }] },
  { ...base, name: sub('act'), maxDelivery: 2, defaultTtl: 3500, forwardDlqTo: 'dq', rules: ACT_RULES },
];

export const QUEUES = CONFIGS.flatMap((c, i) => (c.rules === undefined ? [i] : []));
export const SESSION_ENTITIES = CONFIGS.flatMap((c, i) => (c.sessions ? [i] : []));

/** A broker holding the topology (targets before the entities that forward to them). */
export function createBroker(clock: FakeClock): Broker {
  const broker = new Broker({ clock });
  broker.createTopic(TOPIC, { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindowMs: DUPLICATE_WINDOW_MS });
  const created = new Set<string>();
  const create = (c: EntityConfig): void => {
    if (created.has(c.name)) return;
    created.add(c.name);
    for (const target of [c.forwardTo, c.forwardDlqTo]) if (target !== undefined && target !== c.name) create(CONFIGS.find((x) => x.name === target)!);
    const properties = {
      requiresSession: c.sessions,
      lockDurationMs: c.lockMs,
      maxDeliveryCount: c.maxDelivery,
      deadLetteringOnMessageExpiration: c.dlqOnExpiry,
      ...(Number.isFinite(c.defaultTtl) ? { defaultMessageTimeToLiveMs: c.defaultTtl } : {}),
      ...(c.forwardTo === undefined ? {} : { forwardTo: c.forwardTo }),
      ...(c.forwardDlqTo === undefined ? {} : { forwardDeadLetteredMessagesTo: c.forwardDlqTo }),
    };
    if (c.rules === undefined) {
      broker.createQueue(c.name, properties);
      return;
    }
    const [first, ...more] = c.rules;
    const name = c.name.split('/')[2]!;
    const action = (r: MRule) => (r.action === undefined ? undefined : { type: 'sql' as const, expression: r.action });
    broker.createSubscription(TOPIC, name, properties, { name: first!.name, filter: first!.filter, action: action(first!) });
    for (const r of more) broker.createRule(TOPIC, name, r.name, r.filter, action(r));
  };
  // Subscriptions in the order of CONFIGS: fan-out visits them in creation order, as the model does.
  for (const c of CONFIGS) if (c.rules === undefined) create(c);
  for (const c of CONFIGS) create(c);
  return broker;
}
