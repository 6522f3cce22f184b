/**
 * The README's JavaScript snippet, run as written: only CONN and the admin port are filled in,
 * as a reader does, in an ES module beside this project's node_modules.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type Emulator } from '../sdk/harness.js';
import { readmeSnippet } from './snippets.js';

let emulator: Emulator;
const file = fileURLToPath(new URL(`./.snippet-${process.pid}.mjs`, import.meta.url));

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  rmSync(file, { force: true });
  await emulator.close();
});

describe('README: SDK snippets', () => {
  it('the JavaScript snippet runs as an ES module and leaves the queue it creates', { timeout: 60_000 }, async () => {
    const snippet = readmeSnippet('SDK snippets', '**JavaScript / TypeScript**');
    expect(snippet).toContain("createSender('queue.1')");
    expect(snippet).toContain('localhost:5300');
    const code =
      `const CONN = ${JSON.stringify(emulator.connectionString)};\n` +
      snippet.replace('localhost:5300', `localhost:${emulator.httpPort}`) +
      "console.log('snippet done');\n";
    writeFileSync(file, code);
    // Not spawnSync: the emulator runs in this process and must keep answering.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [file], { timeout: 45_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: emulator.caPath } }, (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      );
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('snippet done');
    const queues: string[] = [];
    for (const q of emulator.broker.listQueues()) queues.push(q.name);
    expect(queues).toContain('orders');
  });
});
