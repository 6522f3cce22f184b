import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../src/broker');
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '') }));

describe('broker core purity', () => {
  it('imports nothing from rhea, fastify, net, http or tls', () => {
    const bad = sources.filter(({ text }) => /from '(rhea|fastify[^']*|node:(net|http|https|tls)|net|http|https|tls)'/.test(text)).map(({ f }) => f);
    expect(sources.length).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });

  it('reads time only through the injected clock and arms no timers', () => {
    const bad = sources.filter(({ text }) => /Date\.now\(|new Date\(|setTimeout\(|setInterval\(|setImmediate\(|performance\.now\(/.test(text)).map(({ f }) => f);
    expect(bad).toEqual([]);
  });
});
