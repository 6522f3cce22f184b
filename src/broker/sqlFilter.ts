/**
 * A small evaluator for Service Bus SQL filters: comparisons, AND/OR/NOT, IS [NOT] NULL,
 * [NOT] IN, [NOT] LIKE (with ESCAPE), EXISTS, arithmetic, `sys.` / `user.` prefixes, [bracketed]
 * names and @parameters. Anything else is rejected when the rule is created (ArgumentError), not
 * when a message arrives. Logic is three-valued like SQL: a missing property is NULL, and a
 * filter matches only when it evaluates to TRUE.
 */
import { errors } from './errors.js';
import { compileLike, likeMatches } from './sqlLike.js';
import { KEYWORDS, type Token, tokenize } from './sqlLexer.js';
import { arithmetic, compare, equal, toValue, truthy, type Value } from './sqlValues.js';

/**
 * How deeply parentheses, NOT and signs may nest, and how many operators one expression may hold:
 * parsing and evaluating recurse once per level, so a hostile filter (20,000 nested parentheses)
 * must be refused as an argument error before it exhausts the stack.
 */
const MAX_NESTING = 128;
const MAX_OPERATORS = 4096;

/** What a filter can read from a message. */
export interface FilterSubject {
  readonly messageId: string;
  readonly sessionId?: string;
  readonly headers: {
    readonly correlationId?: string;
    readonly to?: string;
    readonly replyTo?: string;
    readonly subject?: string;
    readonly replyToSessionId?: string;
    readonly contentType?: string;
    readonly partitionKey?: string;
  };
  readonly properties: Readonly<Record<string, unknown>>;
  /** Changes made since it was sent (settlement, dead-lettering, rule actions); undefined removes. */
  readonly changes?: ReadonlyMap<string, unknown> | undefined;
  readonly size: number;
  readonly seq: number;
}

export type Node = (m: FilterSubject) => Value;

const SYSTEM: Record<string, (m: FilterSubject) => Value> = {
  messageid: (m) => m.messageId,
  sessionid: (m) => m.sessionId ?? null,
  correlationid: (m) => m.headers.correlationId ?? null,
  to: (m) => m.headers.to ?? null,
  replyto: (m) => m.headers.replyTo ?? null,
  label: (m) => m.headers.subject ?? null,
  subject: (m) => m.headers.subject ?? null,
  replytosessionid: (m) => m.headers.replyToSessionId ?? null,
  contenttype: (m) => m.headers.contentType ?? null,
  partitionkey: (m) => m.headers.partitionKey ?? null,
  size: (m) => m.size,
  sequencenumber: (m) => m.seq,
};

export class Parser {
  private pos = 0;
  private depth = 0;
  private operators = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
    private readonly params: Record<string, unknown>,
  ) {}

  parse(): Node {
    const node = this.expression();
    if (this.peek().t !== 'end') this.fail();
    return node;
  }

  /** One boolean or value expression (rule actions parse their statements around it). */
  expression(): Node {
    if (++this.depth > MAX_NESTING) throw errors.argument(`The SQL expression nests more than ${MAX_NESTING} levels deep.`);
    const node = this.or();
    this.depth--;
    return node;
  }

  peek(): Token {
    return this.tokens[this.pos]!;
  }
  next(): Token {
    return this.tokens[this.pos++]!;
  }
  isKw(word: string): boolean {
    const t = this.peek();
    return t.t === 'id' && !t.quoted && t.v.toLowerCase() === word;
  }
  eatKw(word: string): boolean {
    if (!this.isKw(word)) return false;
    this.pos++;
    return true;
  }
  isOp(op: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === op;
  }
  expectOp(op: string): void {
    if (!this.isOp(op)) this.fail();
    this.pos++;
  }
  fail(): never {
    throw errors.argument(`Unsupported or invalid SQL expression '${this.src}'.`);
  }
  private counted(): void {
    if (++this.operators > MAX_OPERATORS) throw errors.argument(`The SQL expression holds more than ${MAX_OPERATORS} operators.`);
  }
  /** A prefix operator recursing into its operand: one level of nesting. */
  private nested<T>(inner: () => T): T {
    if (++this.depth > MAX_NESTING) throw errors.argument(`The SQL expression nests more than ${MAX_NESTING} levels deep.`);
    const out = inner();
    this.depth--;
    return out;
  }

  private or(): Node {
    return this.junction('or', () => this.and(), true);
  }

  private and(): Node {
    return this.junction('and', () => this.not(), false);
  }

  /**
   * A chain of OR or of AND in SQL's three-valued logic: the two differ only in the value that
   * settles the result on its own (TRUE for OR, FALSE for AND). Otherwise UNKNOWN (null) on
   * either side makes the result UNKNOWN.
   */
  private junction(word: 'or' | 'and', operand: () => Node, settles: boolean): Node {
    let left = operand();
    while (this.eatKw(word)) {
      this.counted();
      const a = left;
      const b = operand();
      left = (m) => {
        const x = a(m);
        if (x === settles) return settles;
        const y = b(m);
        if (y === settles) return settles;
        return x === null || y === null ? null : !settles;
      };
    }
    return left;
  }

  private not(): Node {
    if (this.eatKw('not')) {
      this.counted();
      const inner = this.nested(() => this.not());
      return (m) => {
        const v = inner(m);
        return v === null ? null : !truthy(v);
      };
    }
    return this.predicate();
  }

  private predicate(): Node {
    if (this.eatKw('exists')) {
      this.expectOp('(');
      const t = this.next();
      if (t.t !== 'id') this.fail();
      this.expectOp(')');
      const read = this.property(t.v, t.quoted);
      return (m) => read(m) !== null;
    }
    const left = this.additive();
    const t = this.peek();
    if (t.t === 'op' && ['=', '<>', '!=', '<', '>', '<=', '>='].includes(t.v)) {
      this.pos++;
      const right = this.additive();
      return compare(t.v, left, right);
    }
    if (this.eatKw('is')) {
      const negate = this.eatKw('not');
      if (!this.eatKw('null')) this.fail();
      return (m) => (left(m) === null) !== negate;
    }
    const negate = this.eatKw('not');
    if (this.eatKw('in')) {
      this.expectOp('(');
      const items: Node[] = [this.additive()];
      while (this.isOp(',')) {
        this.pos++;
        items.push(this.additive());
      }
      this.expectOp(')');
      return (m) => {
        const v = left(m);
        if (v === null) return null;
        let sawNull = false;
        for (const item of items) {
          const w = item(m);
          if (w === null) sawNull = true;
          else if (equal(v, w)) return !negate;
        }
        return sawNull ? null : negate;
      };
    }
    if (this.eatKw('like')) {
      const pattern = this.next();
      if (pattern.t !== 'str') this.fail();
      let escape: string | undefined;
      if (this.eatKw('escape')) {
        const e = this.next();
        if (e.t !== 'str' || e.v.length !== 1) this.fail();
        escape = e.v;
      }
      const like = compileLike(pattern.v, escape);
      return (m) => {
        const v = left(m);
        if (v === null) return null;
        if (typeof v !== 'string') return null;
        return likeMatches(like, v) !== negate;
      };
    }
    if (negate) this.fail();
    return left;
  }

  private additive(): Node {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      this.counted();
      const op = (this.next() as { v: string }).v;
      left = arithmetic(op, left, this.multiplicative());
    }
    return left;
  }

  private multiplicative(): Node {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      this.counted();
      const op = (this.next() as { v: string }).v;
      left = arithmetic(op, left, this.unary());
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('-')) {
      this.pos++;
      this.counted();
      const inner = this.nested(() => this.unary());
      return (m) => {
        const v = inner(m);
        return typeof v === 'number' ? -v : null;
      };
    }
    if (this.isOp('+')) {
      this.pos++;
      this.counted();
      return this.nested(() => this.unary());
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    switch (t.t) {
      case 'num':
      case 'str': {
        const v = t.v;
        return () => v;
      }
      case 'param': {
        const key = Object.keys(this.params).find((k) => k.toLowerCase() === t.v.toLowerCase() || `@${k}`.toLowerCase() === t.v.toLowerCase());
        if (key === undefined) throw errors.argument(`SQL filter parameter ${t.v} has no value.`);
        const v = toValue(this.params[key]);
        return () => v;
      }
      case 'op':
        if (t.v === '(') {
          const inner = this.expression();
          this.expectOp(')');
          return inner;
        }
        return this.fail();
      case 'id': {
        if (!t.quoted) {
          const word = t.v.toLowerCase();
          if (word === 'true') return () => true;
          if (word === 'false') return () => false;
          if (word === 'null') return () => null;
          if (KEYWORDS.has(word)) this.fail();
        }
        return this.property(t.v, t.quoted);
      }
      default:
        return this.fail();
    }
  }

  private property(name: string, quoted: boolean): Node {
    const dot = quoted ? -1 : name.indexOf('.');
    if (dot > 0) {
      const scope = name.slice(0, dot).toLowerCase();
      const rest = name.slice(dot + 1);
      if (scope === 'sys') {
        const read = SYSTEM[rest.toLowerCase()];
        if (read === undefined) throw errors.argument(`Unsupported system property 'sys.${rest}' in SQL filter.`);
        return read;
      }
      if (scope === 'user') return userProperty(rest);
    }
    return userProperty(name);
  }
}

/** Application property names are case-insensitive in filters, as on Azure; an exact match wins. */
function userProperty(name: string): Node {
  const lower = name.toLowerCase();
  return (m) => toValue(readProperty(m, name, lower));
}

export function readProperty(m: Pick<FilterSubject, 'properties' | 'changes'>, name: string, lower = name.toLowerCase()): unknown {
  const changes = m.changes;
  if (changes !== undefined && changes.size > 0) {
    if (changes.has(name)) return changes.get(name);
    for (const [k, v] of changes) if (k.toLowerCase() === lower) return v;
  }
  const props = m.properties;
  if (Object.hasOwn(props, name)) return props[name];
  for (const k in props) if (Object.hasOwn(props, k) && k.toLowerCase() === lower && !changes?.has(k)) return props[k];
  return undefined;
}

/** Compiles a filter; throws ArgumentError for syntax this evaluator does not support. */
export function compileSqlFilter(expression: string, parameters: Record<string, unknown> = {}): (m: FilterSubject) => boolean {
  if (typeof expression !== 'string' || expression.trim().length === 0) throw errors.argument('A SQL filter needs an expression.');
  const node = new Parser(tokenize(expression), expression, parameters).parse();
  return (m) => node(m) === true;
}
