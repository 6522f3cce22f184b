/**
 * Creates the entities of a validated configuration in a broker. Any failure (an illegal name, a
 * property the broker refuses, two entities with the same name, a forward to nothing) is a
 * ConfigError naming the JSON path of the entity at fault.
 *
 * Forwarding is set in a second pass, once every entity exists, so a queue may forward to a queue
 * or topic declared after it.
 */
import { completeRules } from '../auth/entityRules.js';
import type { BrokerApi } from '../broker/api.js';
import { ConfigError } from './errors.js';
import type { EmulatorConfig, QueueConfig, TopicConfig } from './types.js';

export interface AppliedConfig {
  queues: number;
  topics: number;
  subscriptions: number;
  rules: number;
}

export function applyConfig(broker: BrokerApi, config: EmulatorConfig): AppliedConfig {
  const counts: AppliedConfig = { queues: 0, topics: 0, subscriptions: 0, rules: 0 };
  const at = <T>(path: string, action: () => T): T => {
    try {
      return action();
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(config.source, path, err instanceof Error ? err.message : String(err), { cause: err });
    }
  };
  const forwards: Array<() => void> = [];
  // Entity-level SAS policies, their missing keys generated as the admin API would.
  const rules = (e: QueueConfig | TopicConfig) =>
    e.authorizationRules.length === 0
      ? {}
      : { authorizationRules: at(`${e.path}.AuthorizationRules`, () => completeRules(e.authorizationRules, [], Date.now())) };

  for (const ns of config.namespaces) {
    for (const queue of ns.queues) {
      const { forwardTo, forwardDeadLetteredMessagesTo, ...rest } = queue.properties;
      at(`${queue.path}.Name`, () => broker.createQueue(queue.name, { ...rest, ...rules(queue) }));
      counts.queues++;
      if (forwardTo !== undefined || forwardDeadLetteredMessagesTo !== undefined) {
        forwards.push(() => at(`${queue.path}.Properties`, () => broker.updateQueue(queue.name, queue.properties)));
      }
    }
  }

  for (const ns of config.namespaces) {
    for (const topic of ns.topics) {
      at(`${topic.path}.Name`, () => broker.createTopic(topic.name, { ...topic.properties, ...rules(topic) }));
      counts.topics++;
      for (const sub of topic.subscriptions) {
        const { forwardTo, forwardDeadLetteredMessagesTo, ...rest } = sub.properties;
        const [first, ...others] = sub.rules;
        // With rules, the first one takes the place of $Default (as Microsoft's emulator does:
        // subscription.1 of its default file receives only what app-prop-filter-1 matches).
        const defaultRule =
          first === undefined
            ? undefined
            : { name: first.name, filter: first.filter, ...(first.action ? { action: first.action } : {}) };
        at(`${sub.path}.Name`, () => broker.createSubscription(topic.name, sub.name, rest, defaultRule));
        counts.subscriptions++;
        if (first !== undefined) counts.rules++;
        for (const rule of others) {
          at(rule.path, () => broker.createRule(topic.name, sub.name, rule.name, rule.filter, rule.action));
          counts.rules++;
        }
        if (forwardTo !== undefined || forwardDeadLetteredMessagesTo !== undefined) {
          forwards.push(() =>
            at(`${sub.path}.Properties`, () => broker.updateSubscription(topic.name, sub.name, sub.properties)),
          );
        }
      }
    }
  }

  for (const setForward of forwards) setForward();
  return counts;
}
