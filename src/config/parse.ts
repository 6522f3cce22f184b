/**
 * Reads Microsoft's emulator Config.json (JSONC: comments and trailing commas allowed) into the
 * validated EmulatorConfig. Every problem is a ConfigError naming the JSON path.
 *
 * Lenient where Microsoft's own files vary: a missing `Properties`, `Queues`, `Topics`,
 * `Subscriptions`, `Rules` or `Logging` is fine, any namespace name is accepted, keys match
 * case-insensitively, and `ForwardTo: ""` means no forwarding. Strict where a typo would silently
 * change behaviour: unknown keys and wrongly typed values are errors.
 *
 * Microsoft's emulator caps (TTL ≤ 1 hour, MaxDeliveryCount ≤ 10, ≤ 50 entities) are not applied;
 * Azure's own limits are the broker's to enforce when applyConfig() creates the entities.
 */
import { readFileSync } from 'node:fs';
import { getLocation, parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { rangeProblem } from '../broker/defaults.js';
import { checkEntityName, checkShortName } from '../broker/paths.js';
import { SKUS } from '../broker/sku.js';
import type { CorrelationFilter, RuleAction, RuleFilter } from '../broker/types.js';
import { parseDuration } from './duration.js';
import { describe, formatPath, get, join, lineAndColumn, type KeyMap } from './configPaths.js';
import { ConfigError } from './errors.js';
import { parseAuthorizationRules, parseEmulatorSection } from './policies.js';
import { CORRELATION_FIELDS, LOGGING_TYPES, QUEUE_PROPS, STATUSES, SUBSCRIPTION_PROPS, TOPIC_PROPS } from './propertyTables.js';
import type { Kind, PropSpec } from './propertyTables.js';
import type {
  ConfigFile,
  EmulatorConfig,
  NamespaceConfig,
  QueueConfig,
  RuleConfig,
  SubscriptionConfig,
  TopicConfig,
} from './types.js';

export const INLINE_CONFIG_SOURCE = '<inline config>';

/** Reads and validates a Config.json file. A missing or unreadable file is a ConfigError too. */
export function loadConfigFile(file: string): EmulatorConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code === 'EISDIR'
          ? 'this is a directory, not a file'
          : `the file cannot be read (${(err as Error).message})`;
    throw new ConfigError(file, '', detail, { cause: err });
  }
  return parseConfigText(text, file);
}

/** Parses JSONC text; `source` names it in errors. */
export function parseConfigText(text: string, source: string): EmulatorConfig {
  const errors: ParseError[] = [];
  // A UTF-8 byte order mark is common in files saved by Windows editors.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new ConfigError(source, '', 'the file is empty');
  const value: unknown = parseJsonc(body, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineAndColumn(body, first.offset);
    const at = formatPath(getLocation(body, first.offset).path);
    throw new ConfigError(
      source,
      '',
      `JSON syntax error at line ${line}, column ${column}${at === '' ? '' : ` (near ${at})`}: ${printParseErrorCode(first.error)}`,
    );
  }
  return validateConfig(value, source);
}

/** Validates a Config.json-shaped object (e.g. `startEmulator({ config })`). */
export function validateConfig(value: unknown, source: string = INLINE_CONFIG_SOURCE): EmulatorConfig {
  return new Validator(source).root(value);
}

// ---- the validator ------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

/** Also used by policies.ts, which reads the SAS policy sections with these primitives. */
export class Validator {
  constructor(private readonly source: string) {}

  fail(path: string, detail: string): never {
    throw new ConfigError(this.source, path, detail);
  }

  root(value: unknown): EmulatorConfig {
    const root = this.object(value, '', 'the configuration');
    const keys = this.keys(root, '', ['$schema', 'UserConfig', 'Emulator']);
    const user = this.object(this.required(root, keys, 'UserConfig', ''), 'UserConfig');
    const userKeys = this.keys(user, 'UserConfig', ['Namespaces', 'Logging']);
    const namespaces = this.array(this.required(user, userKeys, 'Namespaces', 'UserConfig'), 'UserConfig.Namespaces');
    const parsed = namespaces.map((ns, i) => this.namespace(ns, `UserConfig.Namespaces[${i}]`));
    const config: EmulatorConfig = { source: this.source, namespaces: parsed, sharedAccessKeys: [], sku: parsed[0]?.sku ?? 'Standard' };
    // All namespaces share one broker, so they share its tier.
    parsed.forEach((ns, i) => {
      if (ns.sku !== config.sku) this.fail(`UserConfig.Namespaces[${i}].Sku`, `every namespace must have the same Sku ('${config.sku}' first)`);
    });
    const logging = get(user, userKeys, 'Logging');
    if (logging !== undefined) config.logging = this.logging(logging, 'UserConfig.Logging');
    const emulator = get(root, keys, 'Emulator');
    if (emulator !== undefined) config.sharedAccessKeys = parseEmulatorSection(this, emulator, 'Emulator');
    return config;
  }

  private namespace(value: unknown, path: string): NamespaceConfig {
    const ns = this.object(value, path);
    const keys = this.keys(ns, path, ['Name', 'Sku', 'Queues', 'Topics']);
    const name = this.string(this.required(ns, keys, 'Name', path), `${path}.Name`);
    const skuText = get(ns, keys, 'Sku');
    const sku = SKUS.find((s) => typeof skuText === 'string' && s.toLowerCase() === skuText.toLowerCase());
    if (skuText !== undefined && sku === undefined) this.fail(`${path}.Sku`, `expected ${SKUS.map((s) => `'${s}'`).join(' or ')}, not ${describe(skuText)}`);
    const queues = this.optionalArray(ns, keys, 'Queues', path);
    const topics = this.optionalArray(ns, keys, 'Topics', path);
    return {
      name,
      sku: sku ?? 'Standard',
      queues: queues.map((q, i) => this.queue(q, `${path}.Queues[${i}]`)),
      topics: topics.map((t, i) => this.topic(t, `${path}.Topics[${i}]`)),
    };
  }

  private queue(value: unknown, path: string): QueueConfig {
    const q = this.object(value, path);
    const keys = this.keys(q, path, ['Name', 'Properties', 'AuthorizationRules']);
    return {
      name: this.entityName(this.required(q, keys, 'Name', path), `${path}.Name`, 'entity'),
      path,
      properties: this.properties(get(q, keys, 'Properties'), `${path}.Properties`, QUEUE_PROPS),
      authorizationRules: parseAuthorizationRules(this, get(q, keys, 'AuthorizationRules'), `${path}.AuthorizationRules`),
    };
  }

  private topic(value: unknown, path: string): TopicConfig {
    const t = this.object(value, path);
    const keys = this.keys(t, path, ['Name', 'Properties', 'Subscriptions', 'AuthorizationRules']);
    const subscriptions = this.optionalArray(t, keys, 'Subscriptions', path);
    return {
      name: this.entityName(this.required(t, keys, 'Name', path), `${path}.Name`, 'entity'),
      path,
      properties: this.properties(get(t, keys, 'Properties'), `${path}.Properties`, TOPIC_PROPS),
      authorizationRules: parseAuthorizationRules(this, get(t, keys, 'AuthorizationRules'), `${path}.AuthorizationRules`),
      subscriptions: subscriptions.map((s, i) => this.subscription(s, `${path}.Subscriptions[${i}]`)),
    };
  }

  private subscription(value: unknown, path: string): SubscriptionConfig {
    const s = this.object(value, path);
    const keys = this.keys(s, path, ['Name', 'Properties', 'Rules']);
    const rules = this.optionalArray(s, keys, 'Rules', path).map((r, i) => this.rule(r, `${path}.Rules[${i}]`));
    const seen = new Map<string, number>();
    rules.forEach((r, i) => {
      const before = seen.get(r.name.toLowerCase());
      if (before !== undefined) this.fail(`${path}.Rules[${i}].Name`, `duplicate rule name '${r.name}' (also at Rules[${before}])`);
      seen.set(r.name.toLowerCase(), i);
    });
    return {
      name: this.entityName(this.required(s, keys, 'Name', path), `${path}.Name`, 'subscription'),
      path,
      properties: this.properties(get(s, keys, 'Properties'), `${path}.Properties`, SUBSCRIPTION_PROPS),
      rules,
    };
  }

  private rule(value: unknown, path: string): RuleConfig {
    const r = this.object(value, path);
    const keys = this.keys(r, path, ['Name', 'Properties']);
    const name = this.entityName(this.required(r, keys, 'Name', path), `${path}.Name`, 'rule');
    const propsPath = `${path}.Properties`;
    const p = this.object(this.required(r, keys, 'Properties', path), propsPath);
    const pKeys = this.keys(p, propsPath, ['FilterType', 'CorrelationFilter', 'SqlFilter', 'Action']);
    const filterType = this.string(this.required(p, pKeys, 'FilterType', propsPath), `${propsPath}.FilterType`);

    let filter: RuleFilter;
    switch (filterType.toLowerCase()) {
      case 'correlation': {
        if (get(p, pKeys, 'SqlFilter') !== undefined) {
          this.fail(`${propsPath}.SqlFilter`, "a rule with FilterType 'Correlation' takes a CorrelationFilter, not a SqlFilter");
        }
        filter = this.correlationFilter(this.required(p, pKeys, 'CorrelationFilter', propsPath), `${propsPath}.CorrelationFilter`);
        break;
      }
      case 'sql': {
        if (get(p, pKeys, 'CorrelationFilter') !== undefined) {
          this.fail(`${propsPath}.CorrelationFilter`, "a rule with FilterType 'Sql' takes a SqlFilter, not a CorrelationFilter");
        }
        const sqlPath = `${propsPath}.SqlFilter`;
        const sql = this.object(this.required(p, pKeys, 'SqlFilter', propsPath), sqlPath);
        const sqlKeys = this.keys(sql, sqlPath, ['SqlExpression']);
        const expression = this.string(this.required(sql, sqlKeys, 'SqlExpression', sqlPath), `${sqlPath}.SqlExpression`);
        if (expression.trim() === '') this.fail(`${sqlPath}.SqlExpression`, 'the SQL expression is empty');
        filter = { type: 'sql', expression };
        break;
      }
      default:
        this.fail(`${propsPath}.FilterType`, `'${filterType}' is not a filter type; use 'Correlation' or 'Sql'`);
    }

    const rule: RuleConfig = { name, path, filter };
    const action = get(p, pKeys, 'Action');
    if (action !== undefined) {
      const actionPath = `${propsPath}.Action`;
      const a = this.object(action, actionPath);
      const aKeys = this.keys(a, actionPath, ['SqlExpression']);
      const expression = get(a, aKeys, 'SqlExpression');
      if (expression !== undefined) {
        const text = this.string(expression, `${actionPath}.SqlExpression`);
        // An empty action expression is how generated files say "no action".
        if (text.trim() !== '') rule.action = { type: 'sql', expression: text } satisfies RuleAction;
      }
    }
    return rule;
  }

  private correlationFilter(value: unknown, path: string): CorrelationFilter {
    const c = this.object(value, path);
    const keys = this.keys(c, path, [...Object.keys(CORRELATION_FIELDS), 'Properties']);
    const filter: CorrelationFilter = { type: 'correlation', properties: {} };
    let count = 0;
    for (const [key, field] of Object.entries(CORRELATION_FIELDS)) {
      const v = get(c, keys, key);
      if (v === undefined) continue;
      if (key === 'Subject' && get(c, keys, 'Label') !== undefined) {
        this.fail(`${path}.Subject`, 'give either Label or Subject (they are the same field), not both');
      }
      filter[field] = this.string(v, `${path}.${key}`);
      count++;
    }
    const props = get(c, keys, 'Properties');
    if (props !== undefined) {
      const propsPath = `${path}.Properties`;
      const o = this.object(props, propsPath);
      for (const [k, v] of Object.entries(o)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          this.fail(`${propsPath}.${k}`, `a correlation property value must be a string, number or boolean, not ${describe(v)}`);
        }
        filter.properties[k] = v;
        count++;
      }
    }
    if (count === 0) this.fail(path, 'a correlation filter needs at least one property to match');
    return filter;
  }

  private properties<T>(value: unknown, path: string, specs: Record<string, PropSpec<T>>): Partial<T> {
    const out: Partial<T> = {};
    if (value === undefined || value === null) return out;
    const o = this.object(value, path);
    const keys = this.keys(o, path, Object.keys(specs));
    for (const [key, spec] of Object.entries(specs)) {
      const v = get(o, keys, key);
      if (v === undefined) continue;
      const converted = this.convert(v, spec.kind, `${path}.${key}`);
      const problem = converted === undefined ? undefined : rangeProblem(spec.def, converted);
      if (problem !== undefined) this.fail(`${path}.${key}`, problem.replace(/\r\nParameter name: .*$/, ''));
      if (converted !== undefined) (out as Record<keyof T, unknown>)[spec.to] = converted;
    }
    return out;
  }

  private convert(v: unknown, kind: Kind, path: string): unknown {
    switch (kind) {
      case 'boolean':
        if (typeof v !== 'boolean') this.fail(path, `expected true or false, not ${describe(v)}`);
        return v;
      case 'duration': {
        const text = this.string(v, path, 'an ISO 8601 duration string such as "PT1M"');
        try {
          return parseDuration(text);
        } catch (err) {
          return this.fail(path, (err as Error).message);
        }
      }
      case 'positiveInteger':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
          this.fail(path, `expected a whole number of at least 1, not ${describe(v)}`);
        }
        return v;
      case 'string':
        return this.string(v, path);
      case 'entityName': {
        const text = this.string(v, path);
        // Microsoft's files write "" for "no forwarding".
        return text.trim() === '' ? undefined : text;
      }
      case 'status': {
        const text = this.string(v, path);
        const status = STATUSES.find((s) => s.toLowerCase() === text.toLowerCase());
        if (status === undefined) this.fail(path, `'${text}' is not a status; use one of ${STATUSES.join(', ')}`);
        return status;
      }
    }
  }

  private logging(value: unknown, path: string): { type: string } {
    const o = this.object(value, path);
    const keys = this.keys(o, path, ['Type']);
    const type = this.string(this.required(o, keys, 'Type', path), `${path}.Type`);
    const parts = type.split(',').map((s) => s.trim().toLowerCase());
    if (parts.some((p) => !LOGGING_TYPES.includes(p))) {
      this.fail(`${path}.Type`, `'${type}' is not a logging type; use 'File', 'Console' or 'File,Console'`);
    }
    return { type };
  }

  // ---- primitives -------------------------------------------------------------------------------

  get(o: Obj, keys: KeyMap, key: string): unknown {
    return get(o, keys, key);
  }

  object(value: unknown, path: string, what = 'an object'): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, `expected ${what} ({ ... }), not ${describe(value)}`);
    }
    return value as Obj;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `expected an array ([ ... ]), not ${describe(value)}`);
    return value;
  }

  optionalArray(o: Obj, keys: KeyMap, key: string, path: string): unknown[] {
    const v = get(o, keys, key);
    if (v === undefined || v === null) return [];
    return this.array(v, join(path, key));
  }

  string(value: unknown, path: string, what = 'a string'): string {
    if (typeof value !== 'string') this.fail(path, `expected ${what}, not ${describe(value)}`);
    return value;
  }

  private entityName(value: unknown, path: string, kind?: 'entity' | 'subscription' | 'rule'): string {
    const name = this.string(value, path);
    if (name.trim() === '') this.fail(path, 'the name is empty');
    try {
      if (kind === 'entity') checkEntityName(name);
      else if (kind !== undefined) checkShortName(name, kind);
    } catch (err) {
      this.fail(path, (err as Error).message);
    }
    return name;
  }

  required(o: Obj, keys: KeyMap, key: string, path: string): unknown {
    const v = get(o, keys, key);
    if (v === undefined) this.fail(join(path, key), `'${key}' is required`);
    return v;
  }

  /**
   * Maps each allowed key (lowercased) to the spelling used in the file; unknown keys and keys
   * given twice in different case are errors.
   */
  keys(o: Obj, path: string, allowed: readonly string[]): KeyMap {
    const canonical = new Map(allowed.map((k) => [k.toLowerCase(), k]));
    const map: KeyMap = new Map();
    for (const actual of Object.keys(o)) {
      const lower = actual.toLowerCase();
      const name = canonical.get(lower);
      if (name === undefined) {
        this.fail(join(path, actual), `unknown key '${actual}'; expected one of ${allowed.join(', ')}`);
      }
      if (map.has(lower)) this.fail(join(path, actual), `'${name}' is given twice`);
      map.set(lower, actual);
    }
    return map;
  }
}
