/**
 * Reset: every entity back as the configuration defines it. The expected state comes from
 * applying the configuration to a scratch broker, so defaults and the config's own rules are
 * decided in one place (src/config/apply.ts). An entity the configuration defines and nobody
 * changed is emptied in place (its links stay attached); one created at run time, or whose
 * properties or rules were changed, is deleted (and recreated when the configuration defines it),
 * and the links to it are detached with amqp:not-found by the caller.
 */
import type { BrokerApi, BrokerControlApi } from '../broker/api.js';
import type { RuleDescription } from '../broker/types.js';
import { Broker } from '../broker/broker.js';
import type { Clock } from '../broker/clock.js';
import { applyConfig } from '../config/apply.js';
import type { EmulatorConfig } from '../config/types.js';

export interface ResetResult {
  /** Paths deleted (recreated or not): links on them no longer have an entity. */
  removed: string[];
  /** Paths created from the configuration. */
  created: string[];
}

/** Property comparison ignores generated SAS keys, which differ on every application. */
function same(a: object, b: object): boolean {
  return stable(a) === stable(b);
}

function stable(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => {
    if (k === 'authorizationRules') return undefined;
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(Object.keys(x).sort().map((key) => [key, (x as Record<string, unknown>)[key]]));
    }
    return x;
  });
}

const ruleShape = (rules: RuleDescription[]) => rules.map((r) => ({ name: r.name, filter: r.filter, action: r.action }));

export function resetToConfig(broker: BrokerApi & BrokerControlApi, config: EmulatorConfig, clock: Clock): ResetResult {
  const expected = new Broker({ clock, sku: config.sku });
  applyConfig(expected, config);
  const removed: string[] = [];
  const created: string[] = [];
  const has = (path: string): boolean => expected.entityKind(path) !== undefined;

  for (const q of broker.listQueues()) {
    if (has(q.name) && expected.entityKind(q.name) === 'queue' && same(q.properties, expected.getQueue(q.name).properties)) continue;
    broker.deleteQueue(q.name);
    removed.push(q.name);
  }
  for (const t of broker.listTopics()) {
    if (!(has(t.name) && expected.entityKind(t.name) === 'topic' && same(t.properties, expected.getTopic(t.name).properties))) {
      broker.deleteTopic(t.name);
      removed.push(t.name);
      continue;
    }
    for (const s of broker.listSubscriptions(t.name)) {
      const path = `${t.name}/Subscriptions/${s.name}`;
      const keep =
        has(path) &&
        same(s.properties, expected.getSubscription(t.name, s.name).properties) &&
        stable(ruleShape(broker.listRules(t.name, s.name))) === stable(ruleShape(expected.listRules(t.name, s.name)));
      if (keep) continue;
      broker.deleteSubscription(t.name, s.name);
      removed.push(path);
    }
  }

  for (const q of broker.listQueues()) broker.purge(q.name, { restart: true });
  for (const t of broker.listTopics()) broker.purge(t.name, { restart: true });

  // What is missing comes back as configured; forwarding is set once every target exists.
  const forwards: (() => void)[] = [];
  const withoutForwarding = <P extends { forwardTo?: string; forwardDeadLetteredMessagesTo?: string }>(p: P) => {
    const { forwardTo, forwardDeadLetteredMessagesTo, ...rest } = p;
    return { rest, forwarding: forwardTo !== undefined || forwardDeadLetteredMessagesTo !== undefined };
  };
  for (const q of expected.listQueues()) {
    if (broker.entityKind(q.name) !== undefined) continue;
    const { rest, forwarding } = withoutForwarding(q.properties);
    broker.createQueue(q.name, rest);
    if (forwarding) forwards.push(() => broker.updateQueue(q.name, q.properties));
    created.push(q.name);
  }
  for (const t of expected.listTopics()) {
    if (broker.entityKind(t.name) === undefined) {
      broker.createTopic(t.name, t.properties);
      created.push(t.name);
    }
    for (const s of expected.listSubscriptions(t.name)) {
      const path = `${t.name}/Subscriptions/${s.name}`;
      if (broker.entityKind(path) !== undefined) continue;
      const [first, ...others] = expected.listRules(t.name, s.name);
      const { rest, forwarding } = withoutForwarding(s.properties);
      broker.createSubscription(t.name, s.name, rest, first === undefined ? undefined : { name: first.name, filter: first.filter, action: first.action });
      if (first === undefined) broker.deleteRule(t.name, s.name, '$Default');
      for (const r of others) broker.createRule(t.name, s.name, r.name, r.filter, r.action);
      if (forwarding) forwards.push(() => broker.updateSubscription(t.name, s.name, s.properties));
      created.push(path);
    }
  }
  for (const setForward of forwards) setForward();
  return { removed, created };
}
