/**
 * Small pieces the Config.json reader uses to look keys up case-insensitively and to word its
 * errors: a JSON path (`UserConfig.Namespaces[0].Queues[2]`), a value's description, and the line
 * and column of a syntax error.
 */
export type KeyMap = Map<string, string>;

/** The value under `key`, matched case-insensitively through the object's key map. */
export function get(o: Record<string, unknown>, keys: KeyMap, key: string): unknown {
  const actual = keys.get(key.toLowerCase());
  return actual === undefined ? undefined : o[actual];
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : join(acc, seg)), '');
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
