/**
 * The values of the SQL filter language and what its operators do with them: three-valued
 * comparison (NULL when either side is NULL or the types differ) and arithmetic (NULL on a type
 * mismatch or division by zero).
 */

export type Value = number | string | boolean | null;

export function toValue(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return String(v);
}

export function truthy(v: Value): boolean {
  return v === true;
}

export function equal(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b;
  return false;
}

export function compare<M>(op: string, left: (m: M) => Value, right: (m: M) => Value): (m: M) => Value {
  return (m) => {
    const a = left(m);
    const b = right(m);
    if (a === null || b === null) return null;
    if (typeof a !== typeof b) return null;
    switch (op) {
      case '=':
        return a === b;
      case '<>':
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '>':
        return a > b;
      case '<=':
        return a <= b;
      default:
        return a >= b;
    }
  };
}

export function arithmetic<M>(op: string, left: (m: M) => Value, right: (m: M) => Value): (m: M) => Value {
  return (m) => {
    const a = left(m);
    const b = right(m);
    if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
    if (typeof a !== 'number' || typeof b !== 'number') return null;
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return b === 0 ? null : a / b;
      default:
        return b === 0 ? null : a % b;
    }
  };
}
