/**
 * The fuzzer in `npm test`: at least 10,000 mutated frames from captured SDK exchanges against the
 * in-process emulator, while the healthy SDK client sends and receives on its own connection.
 * Pass: no uncaught exception, no amqp:internal-error and no error-level log line from the
 * emulator, RSS growth under 200 MB, healthy p99 under 250 ms with no error, and afterwards a
 * fresh SDK round trip and /health still work. The seed is fixed so a failure here reproduces with
 * `npm run fuzz -- --in-process --seed 20240601 --frames 10000 --concurrency 8` (a corpus captured
 * again, so the bytes differ only in the SDK's own random ids and tokens).
 *
 * Concurrency is 8, not the long run's 12: here the fuzzer, the healthy client and the emulator
 * share one event loop on a shared two-core machine, and the healthy p99 measures all three.
 */
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';
import { createRootLogger } from '../../src/server/logger.js';
import { captureCorpus, frameCount, type CapturedConnection } from './capture.js';
import { FUZZ_CONFIG } from './entities.js';
import { freshRoundTrip } from './healthy.js';
import { summary } from './report.js';
import { runFuzz, verdict } from './run.js';

const SEED = 20240601;
const FRAMES = 10_000;

let emulator: Emulator;
let dir: string;
const errorLogs: string[] = [];
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sbemu-fuzz-'));
  // Error-level lines only: each is an exception the emulator did not expect.
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) errorLogs.push(line);
      cb();
    },
  });
  emulator = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, config: FUZZ_CONFIG, tlsDir: path.join(dir, 'tls'), logger: createRootLogger('error', sink) });
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it(`survives ${FRAMES} mutated frames while a healthy SDK client keeps its round trips`, async () => {
  const corpus: CapturedConnection[] = await captureCorpus(emulator.amqpPort);
  expect(frameCount(corpus)).toBeGreaterThan(100);

  const report = await runFuzz({ port: emulator.amqpPort, corpus, frames: FRAMES, seed: SEED, concurrency: 8, rss: () => process.memoryUsage().rss });
  const problems = verdict(report, FRAMES);
  const health = await fetch(`http://127.0.0.1:${emulator.httpPort}/health`);
  await freshRoundTrip(emulator.amqpPort);
  console.log(summary(report, problems));

  expect(uncaught).toEqual([]);
  expect(errorLogs).toEqual([]);
  expect(problems).toEqual([]);
  expect(report.mutatedFrames).toBeGreaterThanOrEqual(FRAMES);
  expect(report.healthy.p99).toBeLessThan(250);
  expect(report.rssAfter - report.rssBefore).toBeLessThan(200 * 2 ** 20);
  expect(health.status).toBe(200);
}, 120_000);
