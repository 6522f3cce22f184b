/**
 * Azure's defaults for entity properties, and the checks a partial property set must pass before
 * it is merged: types and Azure's own ranges, both from the property catalogue. No caps beyond
 * Azure's: TTL and MaxDeliveryCount go as high as Azure allows.
 */
import { errors } from './errors.js';
import { byField, defaultsOf, type EntityKind, propertiesOf, type PropertyDef, STATUSES } from './propertyCatalogue.js';
import { type EntityStatus, MAX_DURATION_MS, type QueueProperties, type SubscriptionProperties, type TopicProperties } from './types.js';

export const queueDefaults = (): QueueProperties => defaultsOf('queue') as unknown as QueueProperties;
export const topicDefaults = (): TopicProperties => defaultsOf('topic') as unknown as TopicProperties;
export const subscriptionDefaults = (): SubscriptionProperties => defaultsOf('subscription') as unknown as SubscriptionProperties;

/** .NET TimeSpan text ([d.]hh:mm:ss), the form Azure's range errors print durations in. */
export function timeSpanText(ms: number): string {
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor(total / 3600) % 24)}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
  return d > 0 ? `${d}.${hms}` : hms;
}

function typeOk(def: PropertyDef, v: unknown): boolean {
  switch (def.type) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'duration':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'string':
    case 'entityName':
      return v === undefined || typeof v === 'string';
    case 'status':
      return STATUSES.includes(v as EntityStatus);
    case 'authorizationRules':
      // Validated (names, rights, keys) by the adapter that parsed them; the broker stores them.
      return Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && typeof r.keyName === 'string');
  }
}

/** Azure's 400 for a value outside its range, or undefined when the value is within it. */
export function rangeProblem(def: PropertyDef, v: unknown): string | undefined {
  const size = typeof v === 'string' ? v.length : typeof v === 'number' ? v : undefined;
  if (size === undefined) return undefined;
  const { min = -Infinity, max = Infinity } = def;
  if (size >= min && size <= max) return undefined;
  const show = (n: number) => (def.type === 'duration' ? timeSpanText(n) : String(n));
  let rule: string;
  if (def.type === 'string') rule = `must be at most ${max} characters long`;
  else if (def.field === 'lockDurationMs' && size > max) return `The supplied lock time exceeds the allowed maximum of '${max / 60_000}' minutes.`;
  // A duration bounded only by TimeSpan.MaxValue has, in effect, a minimum only.
  else if (max === Infinity || max >= MAX_DURATION_MS) rule = `must be at least ${show(min)}`;
  else rule = `must be between ${show(min)} and ${show(max)}`;
  const given = def.type === 'string' ? `${size} characters` : show(size);
  return `The value supplied for '${def.azure}' (${given}) ${rule}.\r\nParameter name: ${def.azure}`;
}

/**
 * Merges `patch` over `base`, rejecting unknown keys, ill-typed values and values outside Azure's
 * ranges with ArgumentError. `undefined` values in the patch are skipped, except for the clearable
 * properties, where they clear the setting (an update without ForwardTo removes forwarding).
 */
export function mergeProperties<T extends object>(base: T, patch: unknown, what: string): T {
  if (patch === undefined) return { ...base };
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw errors.argument(`${what} properties must be an object.`);
  }
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    const def = byField.get(key);
    if (def === undefined) throw errors.argument(`Unknown ${what} property '${key}'.`);
    if (value === undefined && !def.clearable) continue;
    if (!typeOk(def, value)) throw errors.argument(`Invalid value for ${what} property '${key}': ${String(value)}.`);
    const problem = rangeProblem(def, value);
    if (problem !== undefined) throw errors.argument(problem);
    if (value === undefined || value === '') delete out[key];
    else out[key] = value;
  }
  return out as T;
}

const keysOf = (kind: EntityKind): Set<string> => new Set(propertiesOf(kind).map((p) => p.field));

/** Keys each entity kind accepts, so a queue-only property given to a subscription is rejected. */
export const QUEUE_KEYS = keysOf('queue');
export const TOPIC_KEYS = keysOf('topic');
export const SUBSCRIPTION_KEYS = keysOf('subscription');

export function mergeFor<T extends object>(keys: Set<string>, base: T, patch: unknown, what: string): T {
  if (patch !== null && typeof patch === 'object') {
    for (const key of Object.keys(patch)) {
      if (!keys.has(key)) throw errors.argument(`Unknown ${what} property '${key}'.`);
    }
  }
  return mergeProperties(base, patch, what);
}
