/**
 * An emulator with a TLS directory of its own, and the official admin client in a child process
 * that trusts its CA (HTTPS, as the SDK insists), started before a file's tests and stopped after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/index.js';
import { AdminClientProcess } from '../http/support/adminClient.js';

export interface AdminClientEmulator {
  emulator: Emulator;
  sdk: AdminClientProcess;
  /** The TLS directory, for a second emulator that should share the CA. */
  dir: string;
}

/** Registers the hooks; `started` hands the parts to the file's own variables. */
export function withAdminClientEmulator(prefix: string, options: EmulatorOptions, started: (parts: AdminClientEmulator) => void): void {
  let parts: Partial<AdminClientEmulator> = {};
  beforeAll(async () => {
    parts.dir = await mkdtemp(path.join(tmpdir(), prefix));
    parts.emulator = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', ...options, tlsDir: parts.dir });
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: parts.emulator.caPath };
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    parts.sdk = new AdminClientProcess(env);
    started(parts as AdminClientEmulator);
  });
  afterAll(async () => {
    await parts.sdk?.close();
    await parts.emulator?.close();
    if (parts.dir !== undefined) await rm(parts.dir, { recursive: true, force: true });
    parts = {};
  });
}
