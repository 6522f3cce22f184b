/**
 * The README's Architecture tree drifted once (it listed core.ts, placement.ts and store.ts long
 * after they were split): every file it names must exist under the directory it is listed in.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [e.name]));
}

describe('README Architecture', () => {
  it('names only source files that exist', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Architecture'));
    const tree = section.slice(section.indexOf('```\nsrc/'), section.indexOf('```', section.indexOf('```\nsrc/') + 4));
    const named = [...tree.matchAll(/\b([A-Za-z]+\.ts)\b/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(50);
    const existing = new Set(filesUnder(join(root, 'src')));
    expect(named.filter((f) => !existing.has(f))).toEqual([]);
    for (const doc of ['docs/architecture.md', 'docs/wire.md']) expect(existsSync(join(root, doc))).toBe(true);
  });
});
