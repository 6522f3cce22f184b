/**
 * Entity-level SAS policies: completing the rules a request gives (generated keys, kept times,
 * Azure's checks), and tokens and SASL PLAIN credentials signed with an entity's key, which reach
 * that entity only.
 */
import { describe, expect, it } from 'vitest';
import { AuthorizationRuleError, completeRules } from '../../src/auth/entityRules.js';
import { generateSasToken, validateKeyPair, validateSasToken } from '../../src/auth/sas.js';
import { defaultAuthConfig, type AuthConfig, type EntityPolicies } from '../../src/auth/types.js';

const NOW = Date.UTC(2025, 0, 1);
const LATER = Math.floor(NOW / 1000) + 3600;

describe('completeRules', () => {
  it('generates the keys a rule leaves empty, 256-bit base64 as Azure does', () => {
    const [r] = completeRules([{ keyName: 'app', primaryKey: '', rights: ['Send'] }], [], NOW);
    expect(r!.primaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(r!.secondaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(r!.primaryKey).not.toBe(r!.secondaryKey);
    expect(r).toMatchObject({ keyName: 'app', rights: ['Send'], createdAt: NOW, modifiedAt: NOW });
  });

  it('keeps given keys, and a rule keeps its created time across updates (modified only when it changed)', () => {
    const [first] = completeRules([{ keyName: 'app', primaryKey: 'p', secondaryKey: 's', rights: ['Listen'] }], [], NOW);
    const same = completeRules([{ keyName: 'app', primaryKey: 'p', secondaryKey: 's', rights: ['Listen'] }], [first!], NOW + 5);
    expect(same[0]).toEqual(first);
    const changed = completeRules([{ keyName: 'app', primaryKey: 'p2', secondaryKey: 's', rights: ['Listen'] }], [first!], NOW + 9);
    expect(changed[0]).toMatchObject({ primaryKey: 'p2', createdAt: NOW, modifiedAt: NOW + 9 });
  });

  it.each([
    [[{ keyName: '', rights: ['Send'] }], /KeyName is required/],
    [[{ keyName: 'a', rights: [] }], /at least one of the rights/],
    [[{ keyName: 'a', rights: ['Manage'] }], /Manage right needs the Send and Listen/],
    [[{ keyName: 'a', rights: ['Send'] }, { keyName: 'A', rights: ['Listen'] }], /given to two/],
    [Array.from({ length: 13 }, (_, i) => ({ keyName: `k${i}`, rights: ['Send'] })), /at most 12/],
  ] as const)('refuses %j', (input, message) => {
    expect(() => completeRules(input as never, [], NOW)).toThrow(AuthorizationRuleError);
    expect(() => completeRules(input as never, [], NOW)).toThrow(message);
  });
});

const entities: EntityPolicies[] = [
  { entity: 'orders', policies: [{ name: 'orders-send', keys: ['primary', 'secondary'], rights: ['Send'] }] },
  { entity: 'events', policies: [{ name: 'events-listen', keys: ['ev-key'], rights: ['Listen'] }] },
];
const auth: AuthConfig = {
  ...defaultAuthConfig(),
  entityPolicies: {
    of: (path) => entities.find((e) => path.toLowerCase() === e.entity || path.toLowerCase().startsWith(`${e.entity}/`)),
    all: () => entities,
  },
};

describe('tokens signed with an entity policy', () => {
  it("grant the policy's rights on its entity, with the primary or the secondary key", () => {
    for (const key of ['primary', 'secondary']) {
      const token = generateSasToken('sb://localhost:5672/orders', 'orders-send', key, LATER);
      expect(validateSasToken(token, auth, NOW)).toMatchObject({ ok: true, keyName: 'orders-send', rights: ['Send'], entity: 'orders', audience: 'sb://localhost:5672/orders' });
    }
  });

  it("cover a topic's subscriptions and an entity's $management node", () => {
    const sub = generateSasToken('sb://localhost/events/Subscriptions/s1', 'events-listen', 'ev-key', LATER);
    expect(validateSasToken(sub, auth, NOW)).toMatchObject({ ok: true, entity: 'events' });
    const mgmt = generateSasToken('sb://localhost/orders/$management', 'orders-send', 'primary', LATER);
    expect(validateSasToken(mgmt, auth, NOW)).toMatchObject({ ok: true, entity: 'orders' });
  });

  it('are refused for another entity, for the whole namespace, or with a wrong key', () => {
    expect(validateSasToken(generateSasToken('sb://localhost/events', 'orders-send', 'primary', LATER), auth, NOW)).toEqual({
      ok: false,
      reason: "Unknown shared access key name 'orders-send'.",
    });
    expect(validateSasToken(generateSasToken('sb://localhost/', 'orders-send', 'primary', LATER), auth, NOW)).toMatchObject({ ok: false });
    expect(validateSasToken(generateSasToken('sb://localhost/orders', 'orders-send', 'wrong', LATER), auth, NOW)).toEqual({
      ok: false,
      reason: 'The token has an invalid signature.',
    });
  });

  it('namespace keys still work as before, and name no entity', () => {
    const token = generateSasToken('sb://localhost/orders', 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', LATER);
    const result = validateSasToken(token, auth, NOW);
    expect(result).toMatchObject({ ok: true, rights: ['Manage', 'Send', 'Listen'] });
    expect(result).not.toHaveProperty('entity');
  });
});

describe('SASL PLAIN credentials (validateKeyPair)', () => {
  it('a namespace policy covers the namespace', () => {
    expect(validateKeyPair(auth, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE')).toEqual([{ audience: '', rights: ['Manage', 'Send', 'Listen'] }]);
  });

  it("an entity policy covers its entity, with either key", () => {
    expect(validateKeyPair(auth, 'orders-send', 'secondary')).toEqual([{ audience: 'orders', rights: ['Send'] }]);
  });

  it('a wrong pair covers nothing', () => {
    expect(validateKeyPair(auth, 'orders-send', 'ev-key')).toEqual([]);
    expect(validateKeyPair(auth, 'RootManageSharedAccessKey', 'wrong')).toEqual([]);
  });
});
