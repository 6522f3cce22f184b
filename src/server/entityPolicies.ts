/**
 * The entity-level SAS policies as the auth code asks for them, read from the broker's queue and
 * topic records each time (so a rule the admin API just added or removed counts at once).
 */
import type { BrokerApi } from '../broker/api.js';
import type { AuthorizationRule } from '../broker/types.js';
import type { EntityPolicies, EntityPolicyLookup } from '../auth/types.js';

function policies(entity: string, rules: readonly AuthorizationRule[]): EntityPolicies {
  return { entity, policies: rules.map((r) => ({ name: r.keyName, keys: [r.primaryKey, r.secondaryKey], rights: r.rights })) };
}

export function brokerEntityPolicies(broker: BrokerApi): EntityPolicyLookup {
  return {
    of(path) {
      // Entity names may hold '/', so try the longest prefix first: 'a/b/$DeadLetterQueue' is in
      // queue 'a/b', 't/Subscriptions/s' in topic 't'.
      const segments = path.split('/').filter((s) => s !== '');
      for (let n = segments.length; n > 0; n--) {
        // entityKind says 'queue' for the DLQ path too; the queue is one segment up.
        if (segments[n - 1]!.toLowerCase() === '$deadletterqueue') continue;
        const prefix = segments.slice(0, n).join('/');
        const kind = broker.entityKind(prefix);
        if (kind === 'queue') {
          const q = broker.getQueue(prefix);
          return policies(q.name, q.properties.authorizationRules);
        }
        if (kind === 'topic') {
          const t = broker.getTopic(prefix);
          return policies(t.name, t.properties.authorizationRules);
        }
      }
      return undefined;
    },
    *all() {
      for (const q of broker.listQueues()) if (q.properties.authorizationRules.length > 0) yield policies(q.name, q.properties.authorizationRules);
      for (const t of broker.listTopics()) if (t.properties.authorizationRules.length > 0) yield policies(t.name, t.properties.authorizationRules);
    },
  };
}
