/**
 * Entity-level SAS policies (Azure's SharedAccessAuthorizationRule on a queue or topic) as the
 * admin API and Config.json give them: checked, and completed the way Azure completes them (a
 * key left empty is generated, times are kept across updates). The broker stores the result.
 */
import { randomBytes } from 'node:crypto';
import type { AuthorizationRule } from '../broker/types.js';
import type { AccessRight } from './types.js';

export interface AuthorizationRuleInput {
  keyName: string;
  /** Empty or absent: a new key is generated. */
  primaryKey?: string;
  secondaryKey?: string;
  rights: AccessRight[];
}

/** Azure allows 12 SAS policies per entity. */
export const MAX_RULES_PER_ENTITY = 12;
const MAX_NAME_LENGTH = 256;
const MAX_KEY_LENGTH = 256;

/** A rule the request or file gets wrong; the admin API answers 400, Config.json fails to load. */
export class AuthorizationRuleError extends Error {
  override readonly name = 'AuthorizationRuleError';
}

/** A key as Azure generates one: 256 random bits, base64 (44 characters). */
export function generateKey(): string {
  return randomBytes(32).toString('base64');
}

function check(input: AuthorizationRuleInput, i: number): void {
  const at = `AuthorizationRule ${i + 1}`;
  if (input.keyName.trim() === '') throw new AuthorizationRuleError(`${at}: KeyName is required.`);
  if (input.keyName.length > MAX_NAME_LENGTH) throw new AuthorizationRuleError(`${at}: KeyName is longer than ${MAX_NAME_LENGTH} characters.`);
  for (const key of [input.primaryKey, input.secondaryKey]) {
    if (key !== undefined && key.length > MAX_KEY_LENGTH) throw new AuthorizationRuleError(`${at} ('${input.keyName}'): a key is longer than ${MAX_KEY_LENGTH} characters.`);
  }
  if (input.rights.length === 0) throw new AuthorizationRuleError(`${at} ('${input.keyName}'): give at least one of the rights Manage, Send, Listen.`);
  if (new Set(input.rights).size !== input.rights.length) throw new AuthorizationRuleError(`${at} ('${input.keyName}'): a right is given twice.`);
  // Azure's own rule: a policy that may manage an entity may also use it.
  if (input.rights.includes('Manage') && !(input.rights.includes('Send') && input.rights.includes('Listen'))) {
    throw new AuthorizationRuleError(`${at} ('${input.keyName}'): the Manage right needs the Send and Listen rights too.`);
  }
}

/**
 * Checks `input` and returns the rules to store: keys left empty are generated, a rule whose key
 * name was already there keeps its CreatedTime (and its ModifiedTime when nothing changed).
 */
export function completeRules(
  input: readonly AuthorizationRuleInput[],
  previous: readonly AuthorizationRule[],
  nowMs: number,
): AuthorizationRule[] {
  if (input.length > MAX_RULES_PER_ENTITY) {
    throw new AuthorizationRuleError(`An entity takes at most ${MAX_RULES_PER_ENTITY} authorization rules; ${input.length} were given.`);
  }
  const seen = new Set<string>();
  return input.map((r, i) => {
    check(r, i);
    const lower = r.keyName.toLowerCase();
    if (seen.has(lower)) throw new AuthorizationRuleError(`The key name '${r.keyName}' is given to two authorization rules.`);
    seen.add(lower);
    const rule = {
      keyName: r.keyName,
      primaryKey: r.primaryKey || generateKey(),
      secondaryKey: r.secondaryKey || generateKey(),
      rights: [...r.rights],
    };
    const before = previous.find((p) => p.keyName.toLowerCase() === lower);
    if (!before) return { ...rule, createdAt: nowMs, modifiedAt: nowMs };
    const same =
      before.primaryKey === rule.primaryKey &&
      before.secondaryKey === rule.secondaryKey &&
      before.keyName === rule.keyName &&
      before.rights.length === rule.rights.length &&
      before.rights.every((x) => rule.rights.includes(x));
    return { ...rule, createdAt: before.createdAt, modifiedAt: same ? before.modifiedAt : nowMs };
  });
}
