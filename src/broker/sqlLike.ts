/**
 * SQL LIKE matching (`%` any run, `_` any one character, ESCAPE making the next character literal)
 * without regular expressions: a backtracking regex for `%a%a%b` takes time growing as a power of
 * the value's length (one power per `%`), and any sender chooses the value it runs on. This is the two-pointer wildcard
 * match: on a mismatch it returns only to the last `%` seen, so the work is at most value length
 * times pattern length, and the pattern is fixed when the rule is created.
 *
 * Characters are UTF-16 code units, as in the filter's string comparisons.
 */

const LITERAL = 0;
const ONE = 1;
const ANY = 2;

export interface LikePattern {
  readonly kinds: Uint8Array;
  /** The literal code unit at each LITERAL position. */
  readonly units: Uint16Array;
}

export function compileLike(pattern: string, escape?: string): LikePattern {
  const kinds: number[] = [];
  const units: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) {
      kinds.push(LITERAL);
      units.push(pattern.charCodeAt(++i));
    } else if (c === '%') {
      // A run of % is one %.
      if (kinds[kinds.length - 1] !== ANY) {
        kinds.push(ANY);
        units.push(0);
      }
    } else if (c === '_') {
      kinds.push(ONE);
      units.push(0);
    } else {
      kinds.push(LITERAL);
      units.push(pattern.charCodeAt(i));
    }
  }
  return { kinds: Uint8Array.from(kinds), units: Uint16Array.from(units) };
}

export function likeMatches(p: LikePattern, s: string): boolean {
  const { kinds, units } = p;
  const n = kinds.length;
  let i = 0;
  let j = 0;
  // Where the last % is in the pattern, and where in the value its run currently ends.
  let star = -1;
  let starAt = 0;
  while (i < s.length) {
    const k = j < n ? kinds[j]! : -1;
    if (k === ONE || (k === LITERAL && units[j] === s.charCodeAt(i))) {
      i++;
      j++;
    } else if (k === ANY) {
      star = j++;
      starAt = i;
    } else if (star >= 0) {
      j = star + 1;
      i = ++starAt;
    } else {
      return false;
    }
  }
  while (j < n && kinds[j] === ANY) j++;
  return j === n;
}
