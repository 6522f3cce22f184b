/**
 * SAS policies in Config.json: the namespace's (`Emulator.SharedAccessKeys`, besides the
 * --key-name/--key one) and an entity's (`AuthorizationRules` of a queue or topic, as the admin
 * API takes them). Both are our extensions; Microsoft's emulator knows neither.
 */
import type { AuthorizationRuleInput } from '../auth/entityRules.js';
import type { AccessRight, SasKey } from '../auth/types.js';
import { RIGHTS } from './propertyTables.js';
import type { Validator } from './parse.js';

/** `Rights`: absent means all three, as for the default policy. */
function rights(v: Validator, value: unknown, path: string): AccessRight[] {
  if (value === undefined) return [...RIGHTS];
  return v.array(value, path).map((r, j) => {
    const text = v.string(r, `${path}[${j}]`);
    const right = RIGHTS.find((x) => x.toLowerCase() === text.toLowerCase());
    if (right === undefined) v.fail(`${path}[${j}]`, `'${text}' is not a right; use Manage, Send or Listen`);
    return right;
  });
}

export function parseEmulatorSection(v: Validator, value: unknown, path: string): SasKey[] {
  const o = v.object(value, path);
  const keys = v.keys(o, path, ['SharedAccessKeys']);
  return v.optionalArray(o, keys, 'SharedAccessKeys', path).map((k, i) => {
    const kPath = `${path}.SharedAccessKeys[${i}]`;
    const entry = v.object(k, kPath);
    const eKeys = v.keys(entry, kPath, ['KeyName', 'Key', 'Rights']);
    const name = v.string(v.required(entry, eKeys, 'KeyName', kPath), `${kPath}.KeyName`);
    const key = v.string(v.required(entry, eKeys, 'Key', kPath), `${kPath}.Key`);
    if (name === '') v.fail(`${kPath}.KeyName`, 'the key name is empty');
    if (key === '') v.fail(`${kPath}.Key`, 'the key is empty');
    return { name, key, rights: rights(v, v.get(entry, eKeys, 'Rights'), `${kPath}.Rights`) };
  });
}

/**
 * `AuthorizationRules` of a queue or topic: `[{ KeyName, PrimaryKey?, SecondaryKey?, Rights? }]`.
 * A key left out is generated when the entity is created (read it back through the admin API);
 * the rest of the checking (at most 12, unique names, Manage with Send and Listen) is
 * completeRules' when applyConfig() creates the entity.
 */
export function parseAuthorizationRules(v: Validator, value: unknown, path: string): AuthorizationRuleInput[] {
  if (value === undefined || value === null) return [];
  return v.array(value, path).map((r, i) => {
    const rPath = `${path}[${i}]`;
    const entry = v.object(r, rPath);
    const keys = v.keys(entry, rPath, ['KeyName', 'PrimaryKey', 'SecondaryKey', 'Rights']);
    const keyName = v.string(v.required(entry, keys, 'KeyName', rPath), `${rPath}.KeyName`);
    if (keyName.trim() === '') v.fail(`${rPath}.KeyName`, 'the key name is empty');
    const optionalKey = (name: string) => {
      const k = v.get(entry, keys, name);
      return k === undefined ? undefined : v.string(k, `${rPath}.${name}`);
    };
    return {
      keyName,
      primaryKey: optionalKey('PrimaryKey'),
      secondaryKey: optionalKey('SecondaryKey'),
      rights: rights(v, v.get(entry, keys, 'Rights'), `${rPath}.Rights`),
    };
  });
}
