/**
 * How Config.json property names map to the broker's properties, and the value kind each takes:
 * all derived from the broker's property catalogue (Config.json keys are Azure's names).
 */
import type { AccessRight } from '../auth/types.js';
import {
  CORRELATION_FIELDS as CATALOGUE_CORRELATION,
  type EntityKind,
  propertiesOf,
  type PropertyDef,
  STATUSES as CATALOGUE_STATUSES,
} from '../broker/propertyCatalogue.js';
import type { CorrelationFilter, EntityStatus, QueueProperties, SubscriptionProperties, TopicProperties } from '../broker/types.js';

export type Kind = 'boolean' | 'duration' | 'positiveInteger' | 'string' | 'entityName' | 'status';

export interface PropSpec<T> {
  kind: Kind;
  to: keyof T;
  def: PropertyDef;
}

const KIND: Record<PropertyDef['type'], Kind | undefined> = {
  boolean: 'boolean',
  duration: 'duration',
  integer: 'positiveInteger',
  string: 'string',
  entityName: 'entityName',
  status: 'status',
  authorizationRules: undefined, // an entity-level section of its own (policies.ts)
};

function table<T>(kind: EntityKind): Record<string, PropSpec<T>> {
  const out: Record<string, PropSpec<T>> = {};
  for (const def of propertiesOf(kind)) {
    const k = KIND[def.type];
    if (k !== undefined && !def.apart) out[def.azure] = { kind: k, to: def.field as keyof T, def };
  }
  return out;
}

export const QUEUE_PROPS = table<QueueProperties>('queue');
export const SUBSCRIPTION_PROPS = table<SubscriptionProperties>('subscription');
export const TOPIC_PROPS = table<TopicProperties>('topic');

/** Correlation filter keys → CorrelationFilter fields (`Properties` is handled apart). */
export const CORRELATION_FIELDS: Record<string, Exclude<keyof CorrelationFilter, 'type' | 'properties' | 'propertyTypes'>> = {
  ...Object.fromEntries(CATALOGUE_CORRELATION.map((f) => [f.azure, f.field])),
  // The SDKs' name for Label.
  Subject: 'subject',
};

export const STATUSES: readonly EntityStatus[] = CATALOGUE_STATUSES;
export const RIGHTS: readonly AccessRight[] = ['Manage', 'Send', 'Listen'];
export const LOGGING_TYPES = ['file', 'console'];
