/**
 * Entity names and paths. Names are case-insensitive (keyed by their lower-case form) but keep
 * the case they were created with. A receivable path is `queue`, `topic/Subscriptions/sub`, or
 * either followed by `/$DeadLetterQueue`; every segment matches case-insensitively.
 */
import { errors } from './errors.js';

export const DLQ_SUFFIX = '/$deadletterqueue';
const SUBSCRIPTIONS = '/subscriptions/';

export interface ParsedPath {
  /** Lower-case key of the queue or topic. */
  entityKey: string;
  /** Lower-case key of the subscription, when the path names one. */
  subscriptionKey?: string;
  deadLetter: boolean;
}

export const keyOf = (name: string): string => name.toLowerCase();

const NAME_CHARS = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;
const SUBSCRIPTION_CHARS = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Queue and topic names: letters, digits, `. - _ /`; no empty segment; up to 260 characters. */
export function checkEntityName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 260) {
    throw errors.argument(`Invalid entity name '${String(name)}'.`);
  }
  if (!NAME_CHARS.test(name) || name.endsWith('/') || name.includes('//') || name.endsWith('.')) {
    throw errors.argument(`Invalid entity name '${name}'. Use letters, digits, periods, hyphens, underscores and slashes.`);
  }
  const lower = keyOf(name);
  if (lower.includes(SUBSCRIPTIONS) || lower.endsWith('/subscriptions') || lower.split('/').some((s) => s.startsWith('$'))) {
    throw errors.argument(`Invalid entity name '${name}': it contains a reserved segment.`);
  }
  return name;
}

/** Subscription and rule names: no slash, up to 50 characters. `$Default` is allowed for rules. */
export function checkShortName(name: unknown, what: 'subscription' | 'rule'): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 50) {
    throw errors.argument(`Invalid ${what} name '${String(name)}'.`);
  }
  if (what === 'rule' && name.toLowerCase() === '$default') return name;
  if (!SUBSCRIPTION_CHARS.test(name)) throw errors.argument(`Invalid ${what} name '${name}'.`);
  return name;
}

export function parsePath(path: unknown): ParsedPath {
  if (typeof path !== 'string' || path.length === 0) throw errors.argument(`Invalid entity path '${String(path)}'.`);
  let lower = keyOf(path);
  while (lower.startsWith('/')) lower = lower.slice(1);
  while (lower.endsWith('/')) lower = lower.slice(0, -1);
  let deadLetter = false;
  if (lower.endsWith(DLQ_SUFFIX)) {
    deadLetter = true;
    lower = lower.slice(0, -DLQ_SUFFIX.length);
  }
  const at = lower.lastIndexOf(SUBSCRIPTIONS);
  if (at > 0) {
    const subscriptionKey = lower.slice(at + SUBSCRIPTIONS.length);
    if (subscriptionKey.length > 0 && !subscriptionKey.includes('/')) {
      return { entityKey: lower.slice(0, at), subscriptionKey, deadLetter };
    }
  }
  return { entityKey: lower, deadLetter };
}

export const subscriptionPath = (topic: string, subscription: string): string => `${topic}/Subscriptions/${subscription}`;
export const deadLetterPath = (path: string): string => `${path}/$DeadLetterQueue`;
