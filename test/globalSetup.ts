/**
 * Vitest global setup: builds dist/ once per run (scripts/build.mjs, as `npm run build`), so the CLI
 * tests (test/cli) spawn the real `node dist/cli.js` bundle that `npm ci` users get. Type errors
 * fail `npm test` in its typecheck step before vitest starts; here a failed build is fatal only
 * when it leaves no dist/cli.js behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    if (!existsSync(`${root}/dist/cli.js`)) throw new Error(`npm run build failed:\n${output}`);
    process.stderr.write(`[globalSetup] npm run build reported errors (dist/ was still emitted):\n${output}\n`);
  }
}
