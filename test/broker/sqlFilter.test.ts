import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSqlFilter, type FilterSubject } from '../../src/broker/sqlFilter.js';
import { compileLike, likeMatches } from '../../src/broker/sqlLike.js';
import { expectCode } from './helpers.js';

const subject = (properties: Record<string, unknown>, changes?: Map<string, unknown>): FilterSubject => ({
  messageId: 'm',
  headers: {},
  properties,
  changes,
  size: 10,
  seq: 1,
});

/** The old translation to a regular expression: right on small inputs, so the reference here. */
function likeReference(pattern: string, escape: string | undefined): RegExp {
  const quote = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) re += quote(pattern[++i]!);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += quote(c);
  }
  return new RegExp(`${re}$`);
}

describe('SQL filter', () => {
  it('property names are case-insensitive: Color matches an application property color (an exact match wins)', () => {
    const f = compileSqlFilter("Color = 'yellow'");
    expect(f(subject({ color: 'yellow' }))).toBe(true);
    expect(compileSqlFilter("user.COLOR = 'yellow'")(subject({ cOlOr: 'yellow' }))).toBe(true);
    expect(compileSqlFilter('EXISTS(Size)')(subject({ size: 1 }))).toBe(true);
    expect(compileSqlFilter("[My Prop] = 1")(subject({ 'my prop': 1 }))).toBe(true);
    expect(compileSqlFilter("color = 'red'")(subject({ Color: 'blue', color: 'red' }))).toBe(true);
    // Changes made since sending (abandon's properties to modify, rule actions) are what a filter sees.
    expect(f(subject({ color: 'red' }, new Map([['COLOR', 'yellow']])))).toBe(true);
    expect(compileSqlFilter('color IS NULL')(subject({ color: 'red' }, new Map([['color', undefined]])))).toBe(true);
    // Names inherited from Object.prototype are not properties.
    expect(compileSqlFilter('constructor IS NULL')(subject({}))).toBe(true);
  });

  it('AND and OR follow SQL three-valued logic: UNKNOWN (a missing property) settles neither', () => {
    const operand: Record<string, string> = { T: 'a = 1', F: 'a = 2', U: 'missing = 1' };
    const m = subject({ a: 1 });
    // A filter matches only TRUE, so NOT tells FALSE (NOT matches) from UNKNOWN (NOT does not).
    const truth = (e: string) => (compileSqlFilter(e)(m) ? 'T' : compileSqlFilter(`NOT (${e})`)(m) ? 'F' : 'U');
    const table = (op: string) => ['T', 'F', 'U'].map((x) => ['T', 'F', 'U'].map((y) => truth(`(${operand[x]}) ${op} (${operand[y]})`)).join('')).join(' ');
    expect(table('OR')).toBe('TTT TFU TUU');
    expect(table('AND')).toBe('TFU FFF UFU');
    // A chain settles as soon as one operand does, whatever its place.
    expect(truth(`${operand.U} OR ${operand.F} OR ${operand.T}`)).toBe('T');
    expect(truth(`${operand.U} AND ${operand.T} AND ${operand.F}`)).toBe('F');
  });

  it('deep nesting is an argument error, never a stack overflow', () => {
    const depth = 20_000;
    for (const expression of [
      `${'('.repeat(depth)}a = 1${')'.repeat(depth)}`,
      `${'NOT '.repeat(depth)}a = 1`,
      `${'- '.repeat(depth)}a = 1`,
      `a = ${Array.from({ length: depth }, () => '1').join(' + ')}`,
      Array.from({ length: depth }, (_, i) => `a = ${i}`).join(' OR '),
    ]) {
      expectCode(() => compileSqlFilter(expression), 'ArgumentError');
    }
    // Ordinary nesting is fine.
    expect(compileSqlFilter(`${'('.repeat(50)}a = 1${')'.repeat(50)}`)(subject({ a: 1 }))).toBe(true);
  });

  it('LIKE agrees with the regular-expression reference on random patterns and values (with _ and ESCAPE)', () => {
    const alphabet = fc.constantFrom('a', 'b', '%', '_', '!', '.');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 10 }).map((cs) => cs.join('')),
        fc.array(alphabet, { maxLength: 14 }).map((cs) => cs.join('')),
        fc.constantFrom(undefined, '!', '%', 'a'),
        (pattern, value, escape) => {
          expect(likeMatches(compileLike(pattern, escape), value)).toBe(likeReference(pattern, escape).test(value));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("LIKE runs in linear time: '%a%a%b' against 5,000 a's answers at once", () => {
    const f = compileSqlFilter("p LIKE '%a%a%b'");
    const value = 'a'.repeat(5000);
    const started = performance.now();
    expect(f(subject({ p: value }))).toBe(false);
    expect(f(subject({ p: `${value}b` }))).toBe(true);
    expect(compileSqlFilter("p LIKE '%!%%' ESCAPE '!'")(subject({ p: '50% off' }))).toBe(true);
    expect(compileSqlFilter("p NOT LIKE 'a_c'")(subject({ p: 'abc' }))).toBe(false);
    // The regex took 38 s on this input; the matcher takes well under a millisecond.
    expect(performance.now() - started).toBeLessThan(250);
  });
});
