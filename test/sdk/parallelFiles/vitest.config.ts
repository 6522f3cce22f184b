// Two test files run at once against one emulator (started by test/sdk/parallelFiles.test.ts),
// each in a namespace of its own: the setup the README's "A namespace per test file" describes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.spec.ts'],
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
