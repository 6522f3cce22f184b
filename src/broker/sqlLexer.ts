/**
 * Splitting a Service Bus SQL filter expression into tokens for sqlFilter.ts: numbers, 'strings'
 * (with '' for a quote), [bracketed names], @parameters, identifiers (with an optional `scope.`
 * prefix) and operators. A character the grammar has no use for is an ArgumentError here, when
 * the rule is created.
 */
import { errors } from './errors.js';

export type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string; quoted: boolean }
  | { t: 'param'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

export const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'in', 'like', 'escape', 'true', 'false', 'exists']);

// Sticky patterns match at a position without copying the rest of the source for each token
// (slicing made tokenizing a long expression quadratic).
const NUMBER = /[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.?/y;
const PARAM = /@[A-Za-z_][A-Za-z0-9_]*/y;
const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$\-]*)?/y;

function sticky(re: RegExp, src: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(src);
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = sticky(NUMBER, src, i)!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw errors.argument(`Unterminated string in SQL expression '${src}'.`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ t: 'str', v });
    } else if (c === '[') {
      const end = src.indexOf(']', i);
      if (end < 0) throw errors.argument(`Unterminated [name] in SQL expression '${src}'.`);
      out.push({ t: 'id', v: src.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else if (c === '@') {
      const m = sticky(PARAM, src, i);
      if (!m) throw errors.argument(`Invalid parameter in SQL expression '${src}'.`);
      out.push({ t: 'param', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = sticky(IDENT, src, i)!;
      out.push({ t: 'id', v: m[0], quoted: false });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (two === '<>' || two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('=<>()+-*/%,;'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else {
        throw errors.argument(`Unexpected character '${c}' in SQL expression '${src}'.`);
      }
    }
  }
  out.push({ t: 'end' });
  return out;
}
