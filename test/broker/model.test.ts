import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opArb, runSequence } from './model/harness.js';
import { REGRESSIONS } from './model/regressions.js';

describe('broker against the reference model', () => {
  for (const [name, ops] of Object.entries(REGRESSIONS)) {
    it(`regression: ${name}`, () => {
      expect(runSequence(ops)).toBe(ops.length);
    });
  }

  it('agrees on random operation sequences (>= 10,000 operations per run)', () => {
    let total = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 100, maxLength: 300 }), (ops) => {
        total += runSequence(ops);
      }),
      { numRuns: 150 },
    );
    expect(total).toBeGreaterThanOrEqual(10_000);
  }, 60_000);
});
