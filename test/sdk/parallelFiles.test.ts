/**
 * Two test files in parallel, each in a namespace of its own, on one emulator: a real vitest run
 * (test/sdk/parallelFiles/) whose two files each take a namespace, make a session queue named
 * "orders" with the official admin client, wait until the other file runs too, then send and
 * receive 400 messages with the official client and check they only ever see their own.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sbemu-parallel-'));
  emulator = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', tlsDir: dir });
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('two test files at once, each in its own namespace, never see each other', async () => {
  const meeting = await mkdtemp(path.join(dir, 'meet-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: emulator.caPath, SBEMU_HTTP_PORT: String(emulator.httpPort), SBEMU_MEETING_DIR: meeting };
  delete env.NODE_TLS_REJECT_UNAUTHORIZED;
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  const vitest = path.resolve('node_modules/vitest/vitest.mjs');
  const config = path.resolve('test/sdk/parallelFiles/vitest.config.ts');
  const { code, output } = await run([vitest, 'run', '--config', config, '--reporter=verbose'], env);
  expect(output).toMatch(/file-a\.spec\.ts/);
  expect(output).toMatch(/file-b\.spec\.ts/);
  expect(output).toMatch(/Test Files\s+.*2 passed/);
  expect(code, output).toBe(0);
  // Each file deleted its namespace; the default one never saw an "orders" queue.
  expect((await fetch(`http://127.0.0.1:${emulator.httpPort}/emulator/namespaces`, { headers: { authorization: `Basic ${Buffer.from('RootManageSharedAccessKey:SAS_KEY_VALUE').toString('base64')}` } }).then((r) => r.json())) as unknown).toEqual({ namespaces: [] });
  expect(emulator.broker.entityKind('orders')).toBeUndefined();
}, 120_000);
