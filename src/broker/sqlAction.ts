/**
 * SQL rule actions: `SET <property> = <expression>` and `REMOVE <property>`, one or more
 * statements (a `;` between them is optional), on application properties (`name`, `user.name`,
 * `[name]`) and on the system properties a sender sets (`sys.Label`, `sys.To`, …). Statements run
 * in order, each seeing what the earlier ones did. Expressions are those of SQL filters. Anything
 * else is refused when the rule is created (ArgumentError).
 */
import { errors } from './errors.js';
import type { FilterSubject } from './sqlFilter.js';
import { type Node, Parser, readProperty } from './sqlFilter.js';
import { tokenize } from './sqlLexer.js';

/** The system properties an action may set or remove: the message's string header fields. */
export type SettableSystem = 'messageId' | 'sessionId' | 'correlationId' | 'to' | 'replyTo' | 'subject' | 'replyToSessionId' | 'contentType';

const SETTABLE: Record<string, SettableSystem> = {
  messageid: 'messageId',
  sessionid: 'sessionId',
  correlationid: 'correlationId',
  to: 'to',
  replyto: 'replyTo',
  label: 'subject',
  subject: 'subject',
  replytosessionid: 'replyToSessionId',
  contenttype: 'contentType',
};

/** What an action did to one message: application properties set (undefined: removed), system fields. */
export interface ActionResult {
  readonly properties: Map<string, unknown>;
  readonly system: Map<SettableSystem, string | undefined>;
}

type Target = { kind: 'user'; name: string } | { kind: 'sys'; field: SettableSystem };
type Statement = { target: Target; value: Node | undefined };

/** The message as the statements so far have left it, readable by filter expressions. */
class Working implements FilterSubject {
  readonly changes: Map<string, unknown>;
  readonly headers: Record<string, string | undefined>;
  messageId: string;
  sessionId: string | undefined;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly size: number;
  readonly seq: number;

  constructor(m: FilterSubject) {
    this.changes = new Map(m.changes);
    this.headers = { ...m.headers };
    this.messageId = m.messageId;
    this.sessionId = m.sessionId;
    this.properties = m.properties;
    this.size = m.size;
    this.seq = m.seq;
  }
}

function target(p: Parser): Target {
  const t = p.next();
  if (t.t !== 'id') p.fail();
  const dot = t.quoted ? -1 : t.v.indexOf('.');
  if (dot > 0) {
    const scope = t.v.slice(0, dot).toLowerCase();
    const rest = t.v.slice(dot + 1);
    if (scope === 'sys') {
      const field = SETTABLE[rest.toLowerCase()];
      if (field === undefined) throw errors.argument(`The system property 'sys.${rest}' cannot be set or removed by a rule action.`);
      return { kind: 'sys', field };
    }
    if (scope === 'user') return { kind: 'user', name: rest };
  }
  return { kind: 'user', name: t.v };
}

function asHeaderText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'string' ? v : String(v);
}

export type CompiledAction = (m: FilterSubject) => ActionResult;

export function compileSqlAction(expression: string, parameters: Record<string, unknown> = {}): CompiledAction {
  if (typeof expression !== 'string' || expression.trim().length === 0) throw errors.argument('A SQL rule action needs an expression.');
  const p = new Parser(tokenize(expression), expression, parameters);
  const statements: Statement[] = [];
  while (p.peek().t !== 'end') {
    if (p.eatKw('set')) {
      const t = target(p);
      p.expectOp('=');
      statements.push({ target: t, value: p.expression() });
    } else if (p.eatKw('remove')) {
      statements.push({ target: target(p), value: undefined });
    } else {
      p.fail();
    }
    if (p.isOp(';')) p.next();
  }
  if (statements.length === 0) p.fail();
  return (m) => {
    const w = new Working(m);
    const properties = new Map<string, unknown>();
    const system = new Map<SettableSystem, string | undefined>();
    for (const { target: t, value } of statements) {
      const v = value === undefined ? undefined : value(w);
      if (t.kind === 'user') {
        // A statement naming a property in other case updates the one the message has.
        const name = existingName(w, t.name);
        w.changes.set(name, v);
        properties.set(name, v);
      } else {
        const text = value === undefined ? undefined : asHeaderText(v);
        if (t.field === 'messageId') {
          // A message always has an id: removing it leaves it as it was.
          if (text === undefined) continue;
          w.messageId = text;
        } else if (t.field === 'sessionId') w.sessionId = text;
        else w.headers[t.field] = text;
        system.set(t.field, text);
      }
    }
    return { properties, system };
  };
}

/** The spelling the message already uses for a property named in any case, else `name`. */
function existingName(w: Working, name: string): string {
  if (w.changes.has(name) ? w.changes.get(name) !== undefined : Object.hasOwn(w.properties, name)) return name;
  const lower = name.toLowerCase();
  for (const [k, v] of w.changes) if (v !== undefined && k.toLowerCase() === lower) return k;
  for (const k of Object.keys(w.properties)) if (!w.changes.has(k) && k.toLowerCase() === lower) return k;
  return name;
}
