/**
 * Subscription rules: validation when a rule is created, and matching when a topic fans out.
 * A subscription gets a copy when any of its rules matches. Rule actions are stored and reported
 * but not applied to messages.
 */
import { CORRELATION_FIELDS as CORRELATION_CATALOGUE } from './propertyCatalogue.js';
import { errors } from './errors.js';
import { compileSqlFilter, type FilterSubject } from './sqlFilter.js';
import type { CorrelationFilter, RuleAction, RuleDescription, RuleFilter } from './types.js';

export interface Rule {
  readonly description: RuleDescription;
  readonly matches: (m: FilterSubject) => boolean;
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
  for (const [key, v] of Object.entries(f.properties ?? {})) expected.push([(m) => m.properties[key], v]);
  return (m) => expected.every(([get, v]) => sameValue(get(m), v));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') return typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
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
    return { type: 'sql', expression: a.expression };
  }
  throw errors.argument('A rule action is { type: "empty" } or { type: "sql", expression }.');
}

export function makeRule(name: string, filter: unknown, action: unknown, createdAt: number): Rule {
  const f = checkFilter(filter);
  const description: RuleDescription = { name, filter: f, action: checkAction(action), createdAt };
  switch (f.type) {
    case 'true':
      return { description, matches: () => true };
    case 'false':
      return { description, matches: () => false };
    case 'sql':
      return { description, matches: compileSqlFilter(f.expression, f.parameters) };
    default:
      return { description, matches: correlationMatcher(f) };
  }
}

/** Copies so callers cannot reach into the stored rule. */
export function cloneRule(d: RuleDescription): RuleDescription {
  return structuredClone(d);
}
