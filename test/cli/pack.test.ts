/**
 * Installing the package as the README says to while it is not on the registry: the tarball from
 * `npm pack`, into a fresh project, then the in-process API from that project's own vitest run and
 * its own type check. The bundle carries every dependency but pino (whose types the API names), so
 * the install is small and prints no engine warning.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT } from './helpers.js';

let dir: string;
let project: string;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sbemu-pack-'));
  project = join(dir, 'consumer');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sh(cmd: string, args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

describe('npm pack, installed into a fresh project', () => {
  it('installs without engine warnings and runs startEmulator() from the project’s vitest', { timeout: 180_000 }, () => {
    // --ignore-scripts: dist/ is already built (test/globalSetup.ts); prepare would rebuild it.
    const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
    expect(pack.status, pack.output).toBe(0);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    sh('mkdir', ['-p', project], dir);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const install = sh('npm', ['install', '--save-dev', '--prefer-offline', join(dir, tarball!)], project);
    expect(install.status, install.output).toBe(0);
    expect(install.output).not.toMatch(/EBADENGINE/);
    const installed = readdirSync(join(project, 'node_modules'));
    expect(installed).toContain('servicebus-emulator');
    expect(installed).not.toContain('fastify');

    writeFileSync(
      join(project, 'emulator.test.js'),
      `import { startEmulator } from 'servicebus-emulator';
it('starts, answers /health and stops', async () => {
  const emulator = await startEmulator({ amqpPort: 0, httpPort: 0, amqpsPort: null, tlsDir: './tls', logLevel: 'silent' });
  try {
    expect(emulator.connectionString).toContain('UseDevelopmentEmulator=true');
    const res = await fetch('http://127.0.0.1:' + emulator.httpPort + '/health');
    expect(res.status).toBe(200);
    // The dashboard's files ship in dist/ui.
    const ui = await fetch('http://127.0.0.1:' + emulator.httpPort + '/emulator/ui/app.js');
    expect(ui.status).toBe(200);
  } finally {
    await emulator.close();
  }
});
`,
    );
    const vitest = sh(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--globals', '--root', project], project);
    expect(vitest.output).toMatch(/1 passed/);
    expect(vitest.status, vitest.output).toBe(0);

    // The declarations a TypeScript user gets resolve, checked strictly (no skipLibCheck).
    writeFileSync(
      join(project, 'types.ts'),
      `import { startEmulator, type Emulator, type EmulatorOptions } from 'servicebus-emulator';
const options: EmulatorOptions = { amqpPort: 0, tlsHostnames: ['sb-emulator'] };
export const start: (o: EmulatorOptions) => Promise<Emulator> = startEmulator;
export { options };
`,
    );
    const tsc = sh(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--module', 'nodenext',
        '--moduleResolution', 'nodenext',
        '--target', 'es2022',
        '--typeRoots', join(ROOT, 'node_modules/@types'),
        '--types', 'node',
        'types.ts',
      ],
      project,
    );
    expect(tsc.status, tsc.output).toBe(0);
  });
});
