/**
 * Long runs of the model-based test: `npm run test:model -- --ops 1000000 [--seed N] [--length 300]`.
 * Generates sequences until the operation budget is spent, checks each against the reference
 * model, prints throughput and the result, and exits non-zero (with a shrunk counterexample) on
 * the first disagreement.
 */
import fc from 'fast-check';
import { opArb, runSequence } from './harness.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

const totalOps = opt('ops', 100_000);
const length = opt('length', 300);
const seed = opt('seed', Date.now() % 2 ** 31);
/** Peeked contents are compared every N operations (runtime counts after every one). */
const fullEvery = opt('full-every', 5);
// Sequences are 1 to `length` operations long (about length / 2 on average), so that fast-check
// can shrink a failure to the few operations that matter.
const runs = Math.ceil(totalOps / (length / 2));

let done = 0;
const started = process.hrtime.bigint();
let lastReport = started;
const details = fc.check(
  fc.property(fc.array(opArb, { minLength: 1, maxLength: length, size: 'max' }), (ops) => {
    done += runSequence(ops, fullEvery);
    const now = process.hrtime.bigint();
    if (now - lastReport > 5_000_000_000n) {
      lastReport = now;
      process.stderr.write(`  ${done.toLocaleString('en')} / about ${totalOps.toLocaleString('en')} operations\n`);
    }
  }),
  { numRuns: runs, seed },
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (!details.failed) {
  console.log(`model run: PASSED ${done.toLocaleString('en')} operations in ${runs} sequences of up to ${length} (seed ${seed})`);
  console.log(`  ${seconds.toFixed(1)} s, ${Math.round(done / seconds).toLocaleString('en')} ops/s (broker + model; counts compared after every op, full contents every ${fullEvery})`);
} else {
  console.log(`model run: FAILED after ${done.toLocaleString('en')} operations, ${seconds.toFixed(1)} s (seed ${seed}, path ${details.counterexamplePath})`);
  const error = details.errorInstance;
  console.log(error instanceof Error ? error.message : String(error));
  console.log(`shrunk counterexample (${details.counterexample?.[0]?.length} ops): ${JSON.stringify(details.counterexample?.[0])}`);
  process.exitCode = 1;
}
