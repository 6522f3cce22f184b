/**
 * Subscription rules: validation when a rule is created, and matching when a topic fans out.
 * As on Azure, the rules without an action that match give the subscription one copy between
 * them, and each matching rule with a SQL action gives a copy of its own, changed by the action.
 */
import { CORRELATION_FIELDS as CORRELATION_CATALOGUE } from './propertyCatalogue.js';
import { errors } from './errors.js';
import type { MessageHeaders, Msg } from './records.js';
import { type CompiledAction, compileSqlAction } from './sqlAction.js';
import { compileSqlFilter, type FilterSubject } from './sqlFilter.js';
import type { CorrelationFilter, RuleAction, RuleDescription, RuleFilter } from './types.js';
import { type TypedKind, TypedValue } from './typedValue.js';

export interface Rule {
  readonly description: RuleDescription;
  readonly matches: (m: FilterSubject) => boolean;
  /** The compiled SQL action (none for an empty action). */
  readonly action?: CompiledAction;
}

const CORRELATION_FIELDS = CORRELATION_CATALOGUE.map((f) => f.field);

function correlationMatcher(f: CorrelationFilter): (m: FilterSubject) => boolean {
  const expected: [(m: FilterSubject) => unknown, unknown][] = [];
  const read: Record<(typeof CORRELATION_FIELDS)[number], (m: FilterSubject) => unknown> = {
    correlationId: (m) => m.headers.correlationId,
    messageId: (m) => m.messageId,
    to: (m) => m.headers.to,
    replyTo: (m) => m.headers.replyTo,
    subject: (m) => m.headers.subject,
    sessionId: (m) => m.sessionId,
    replyToSessionId: (m) => m.headers.replyToSessionId,
    contentType: (m) => m.headers.contentType,
  };
  for (const field of CORRELATION_FIELDS) {
    const v = f[field];
    if (v !== undefined && v !== null) expected.push([read[field], v]);
  }
  for (const [key, v] of Object.entries(f.properties ?? {})) {
    const declared = f.propertyTypes?.[key];
    const want = declared === 'guid' || declared === 'duration' ? typedExpectation(declared, v) : v;
    expected.push([(m) => m.properties[key], want]);
  }
  return (m) => expected.every(([get, v]) => sameValue(get(m), v));
}

/**
 * A value declared as a guid or a duration expects a message value of that type: a guid in any
 * case, a duration in the form the admin API stores (ISO 8601 as formatted by the one formatter).
 */
function typedExpectation(kind: TypedKind, v: unknown): TypedValue {
  const text = String(v);
  return new TypedValue(kind, kind === 'guid' ? text.toLowerCase() : text);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (b instanceof TypedValue) return a instanceof TypedValue && a.kind === b.kind && a.text === b.text;
  if (a instanceof TypedValue) return false;
  if (typeof a === 'bigint' || typeof b === 'bigint') return typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

/** Azure's limit on the text of a SQL filter and of a SQL rule action, on every surface. */
export const MAX_SQL_EXPRESSION_LENGTH = 1024;

function checkLength(what: 'filter' | 'action', expression: string): void {
  if (expression.length > MAX_SQL_EXPRESSION_LENGTH) {
    throw errors.argument(`The SQL ${what} expression is ${expression.length} characters long; the maximum is ${MAX_SQL_EXPRESSION_LENGTH}.`);
  }
}

function checkFilter(filter: unknown): RuleFilter {
  if (filter === null || typeof filter !== 'object') throw errors.argument('A rule needs a filter.');
  const f = filter as { type?: unknown };
  switch (f.type) {
    case 'true':
      return { type: 'true' };
    case 'false':
      return { type: 'false' };
    case 'sql': {
      const s = filter as { expression?: unknown; parameters?: unknown };
      if (typeof s.expression !== 'string') throw errors.argument('A SQL filter needs an expression string.');
      checkLength('filter', s.expression);
      if (s.parameters !== undefined && (s.parameters === null || typeof s.parameters !== 'object')) {
        throw errors.argument('SQL filter parameters must be an object.');
      }
      const out: RuleFilter = { type: 'sql', expression: s.expression };
      if (s.parameters !== undefined) out.parameters = { ...(s.parameters as Record<string, unknown>) };
      return out;
    }
    case 'correlation': {
      const c = filter as Partial<CorrelationFilter>;
      const out: CorrelationFilter = { type: 'correlation', properties: {} };
      for (const field of CORRELATION_FIELDS) {
        const v = c[field];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string') throw errors.argument(`Correlation filter field '${field}' must be a string.`);
        out[field] = v;
      }
      if (c.properties !== undefined && c.properties !== null) {
        if (typeof c.properties !== 'object') throw errors.argument('Correlation filter properties must be an object.');
        out.properties = { ...c.properties };
      }
      if (c.propertyTypes !== undefined && c.propertyTypes !== null) {
        if (typeof c.propertyTypes !== 'object') throw errors.argument('Correlation filter property types must be an object.');
        const types: Record<string, string> = {};
        for (const [k, t] of Object.entries(c.propertyTypes)) {
          if (typeof t !== 'string') throw errors.argument(`The declared type of correlation filter property '${k}' must be a string.`);
          if (Object.hasOwn(out.properties, k)) types[k] = t;
        }
        if (Object.keys(types).length > 0) out.propertyTypes = types;
      }
      return out;
    }
    default:
      throw errors.argument(`Unknown filter type '${String(f.type)}'.`);
  }
}

function checkAction(action: unknown): RuleAction {
  if (action === undefined || action === null) return { type: 'empty' };
  const a = action as { type?: unknown; expression?: unknown };
  if (a.type === 'empty') return { type: 'empty' };
  if (a.type === 'sql' && typeof a.expression === 'string' && a.expression.trim().length > 0) {
    checkLength('action', a.expression);
    return { type: 'sql', expression: a.expression };
  }
  throw errors.argument('A rule action is { type: "empty" } or { type: "sql", expression }.');
}

export function makeRule(name: string, filter: unknown, action: unknown, createdAt: number): Rule {
  const f = checkFilter(filter);
  const a = checkAction(action);
  const description: RuleDescription = { name, filter: f, action: a, createdAt };
  const compiled = a.type === 'sql' ? compileSqlAction(a.expression) : undefined;
  const withAction = (matches: (m: FilterSubject) => boolean): Rule => (compiled === undefined ? { description, matches } : { description, matches, action: compiled });
  switch (f.type) {
    case 'true':
      return withAction(() => true);
    case 'false':
      return withAction(() => false);
    case 'sql':
      return withAction(compileSqlFilter(f.expression, f.parameters));
    default:
      return withAction(correlationMatcher(f));
  }
}

/**
 * The copy a matching rule with an action makes: its action applied, and the rule's name in the
 * application property RuleName, as Azure marks such copies.
 */
export function actionCopy(m: Msg, rule: Rule): Msg {
  const { properties, system } = rule.action!(m);
  let copy: Msg;
  if (system.size === 0) {
    copy = m.copy();
  } else {
    const headers: Record<string, unknown> = { ...m.headers };
    let { messageId, sessionId } = m;
    const rewritten = new Set(m.headers.rewritten);
    for (const [field, v] of system) {
      rewritten.add(field);
      if (field === 'messageId') messageId = v!;
      else if (field === 'sessionId') sessionId = v;
      else if (v === undefined) delete headers[field];
      else headers[field] = v;
    }
    headers.rewritten = rewritten;
    copy = m.copyWith(messageId, sessionId, headers as MessageHeaders);
  }
  const changes: Record<string, unknown> = Object.fromEntries(properties);
  changes.RuleName = rule.description.name;
  copy.modify(changes);
  return copy;
}

/** Copies so callers cannot reach into the stored rule. */
export function cloneRule(d: RuleDescription): RuleDescription {
  return structuredClone(d);
}
