#!/usr/bin/env node
/**
 * `npm run build`: the types from tsc, the code from esbuild.
 *
 * Why a bundle: start-up. Node resolving and compiling ~400 small modules of fastify, pino,
 * node-forge... took most of the time to the readiness line; one pre-linked file does not. It also
 * means a project that installs ours installs none of those packages (and none of their engine
 * warnings). `dist/cli.js` and `dist/index.js` share their chunks, so the in-process API and the CLI
 * run the same code; what is loaded with `import()` (the admin app, src/http/lazyApp.ts; the
 * certificate issuer) is a chunk of its own, read only when needed. Source maps carry the sources,
 * since `src/` is not shipped.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

rmSync(`${root}/dist`, { recursive: true, force: true });

const tsc = spawnSync(
  process.execPath,
  [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json', '--emitDeclarationOnly'],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exitCode = tsc.status ?? 1;

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's "main" is a UMD build that requires its own files at run time.
  mainFields: ['module', 'main'],
  sourcemap: true,
  sourcesContent: true,
  // Smaller is faster to compile at start; names stay, for stack traces and error names in logs.
  minify: true,
  keepNames: true,
  // ws loads these native speed-ups only when installed; none of ours is.
  external: ['bufferutil', 'utf-8-validate'],
  // CommonJS dependencies inside an ES module bundle still call require() for node built-ins.
  banner: { js: "import { createRequire as __sbemuRequire } from 'node:module'; const require = __sbemuRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The dashboard (served at /emulator/ui/) is hand-written ES modules and CSS: copied as they are.
cpSync(`${root}/src/ui`, `${root}/dist/ui`, { recursive: true });
